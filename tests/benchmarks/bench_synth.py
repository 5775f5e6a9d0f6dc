"""Synthetic cohort generator: throughput (records/s) and peak memory, and that memory is bounded.

Generates N and 2N patients with one worker, and 2N with two (each run in a fresh child process,
so each peak is its own) and prints records per second and peak resident memory of the largest
process, with the 2N/N ratios: bounded memory means a peak ratio near 1.0 while the record count
doubles. The two-worker run shows the parallel speed-up (its output is the same bytes).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _child(patients: int, days: int, out: Path, workers: int) -> dict:
    from ingestion.synth.generate import SynthConfig, generate

    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    config = SynthConfig(patients=patients, days=days, out=out, seed=7, workers=workers)
    summary = generate(config)
    seconds = time.perf_counter() - started
    # The largest single process: this one, or (with workers) the largest worker.
    peak_kib = max(
        resource.getrusage(who).ru_maxrss
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "patients": patients,
        "days": days,
        "workers": workers,
        "records": summary.total_records,
        "seconds": round(seconds, 2),
        "records_per_s": round(summary.total_records / seconds),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "rss_after_imports_mib": round(baseline_kib / 1024, 1),
        "output_mib": round(size / 2**20, 1),
    }


def _run(patients: int, days: int, workers: int = 1) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
        result = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--patients",
                str(patients),
                "--days",
                str(days),
                "--workers",
                str(workers),
                "--out",
                str(Path(tmp) / "cohort"),
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=40)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.patients, args.days, args.out, args.workers)))
        return {}
    single = _run(args.patients, args.days)
    double = _run(2 * args.patients, args.days)
    parallel = _run(2 * args.patients, args.days, workers=2)
    memory_ratio = double["peak_rss_mib"] / single["peak_rss_mib"]
    speed_ratio = double["records_per_s"] / single["records_per_s"]
    for run in (single, double, parallel):
        print(
            f"{run['patients']:>6} patients x {run['days']} days, {run['workers']} worker(s): "
            f"{run['records']:>10,} records in {run['seconds']:>6.1f} s = "
            f"{run['records_per_s']:>7,} records/s; peak RSS {run['peak_rss_mib']} MiB "
            f"(after imports {run['rss_after_imports_mib']} MiB); output {run['output_mib']} MiB"
        )
    print(
        f"2x patients / 1x: records {double['records'] / single['records']:.2f}x, "
        f"peak memory {memory_ratio:.2f}x (bounded: ~1.0), throughput {speed_ratio:.2f}x"
    )
    parallel_speedup = parallel["records_per_s"] / double["records_per_s"]
    print(
        f"2 workers / 1 worker on 2x patients: throughput {parallel_speedup:.2f}x (same output bytes)"
    )
    return {
        "single": single,
        "double": double,
        "parallel": parallel,
        "parallel_speedup_2_workers": round(parallel_speedup, 3),
        "peak_memory_ratio_2x_vs_1x": round(memory_ratio, 3),
        "throughput_ratio_2x_vs_1x": round(speed_ratio, 3),
        "records_per_s": single["records_per_s"],
    }


if __name__ == "__main__":
    main()
