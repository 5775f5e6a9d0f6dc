"""Command line: `python -m ingestion.pipeline run [--landing DIR] [--warehouse FILE] [--snapshots DIR]`."""

from __future__ import annotations

import argparse
import logging
import sys

from ingestion.errors import IngestionError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingestion.pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="one full run: ingest, dbt build, quality checks, publish")
    run.add_argument("--landing", help="landing folder (default: LANDING_DIR or data/landing)")
    run.add_argument(
        "--warehouse", help="warehouse file (default: WAREHOUSE_PATH or data/warehouse.duckdb)"
    )
    run.add_argument(
        "--snapshots", help="snapshot folder (default: SNAPSHOT_DIR or data/snapshots)"
    )
    run.add_argument(
        "--run-id", help="names this run's logs and quality results (default: a timestamp)"
    )
    run.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from ingestion.pipeline.run import run_pipeline

    try:
        run_pipeline(
            args.landing,
            args.warehouse,
            args.snapshots,
            run_id=args.run_id,
            progress=lambda line: print(line, flush=True),
        )
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (IngestionError, FileNotFoundError, PermissionError) as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
