"""Run every benchmark (`tests/benchmarks/bench_*.py`), print its figures and write one JSON report.

Each benchmark module exposes `main()`, parses its own options from sys.argv, prints what it measured
(as ratios against a baseline measured in the same run) and returns a dict of figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))


def run_one(path: Path) -> dict:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    saved_argv = sys.argv
    sys.argv = [str(path)]
    started = time.perf_counter()
    try:
        spec.loader.exec_module(module)
        figures = module.main()
        return {"status": "ok", "seconds": round(time.perf_counter() - started, 2), "figures": figures}
    except Exception as exc:  # noqa: BLE001 - one failing benchmark must not hide the others
        traceback.print_exc()
        return {"status": "error", "seconds": round(time.perf_counter() - started, 2), "error": f"{type(exc).__name__}: {exc}"}
    finally:
        sys.argv = saved_argv


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="reports/bench.json")
    parser.add_argument("only", nargs="*", help="benchmark names (e.g. ingest dbt); default all")
    args = parser.parse_args()
    paths = sorted(HERE.glob("bench_*.py"))
    if args.only:
        paths = [p for p in paths if p.stem.removeprefix("bench_") in args.only]
    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "benchmarks": {},
    }
    for path in paths:
        name = path.stem.removeprefix("bench_")
        print(f"\n=== benchmark: {name}", flush=True)
        report["benchmarks"][name] = run_one(path)
        print(f"=== {name}: {report['benchmarks'][name]['status']} in {report['benchmarks'][name]['seconds']} s", flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nreport written to {out}")
    return 1 if any(b["status"] != "ok" for b in report["benchmarks"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
