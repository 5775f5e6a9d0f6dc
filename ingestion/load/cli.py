"""`python -m ingestion load PATH... [--warehouse FILE] [--patient ID]`."""

from __future__ import annotations

import sys
import time

from ingestion.errors import IngestionError
from ingestion.load.report import FileReport


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "load", help="load files of any supported kind into the warehouse's raw layer",
        description="Load FHIR NDJSON/Bundles, Bulk Data manifests, Open mHealth JSON, Apple Health "
                    "exports and device CSVs (kind detected from content) into raw.*.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursed)")
    parser.add_argument("--warehouse", help="DuckDB file (default: WAREHOUSE_PATH or data/warehouse.duckdb)")
    parser.add_argument("--patient", help="FHIR Patient id for files without their own identity "
                                          "(Apple Health, device CSV, Open mHealth)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from ingestion.load.core import load_paths

    started = time.perf_counter()
    count = {"n": 0}

    def progress(report: FileReport) -> None:
        count["n"] += 1
        print(f"[{count['n']}] {report.summary()}", flush=True)

    reports = load_paths(args.paths, warehouse=args.warehouse, patient=args.patient, progress=progress)
    loaded = sum(r.loaded for r in reports)
    duplicates = sum(r.duplicates for r in reports)
    quarantined = sum(r.quarantined for r in reports)
    rejected = [r for r in reports if r.rejected]
    print(f"total: {len(reports)} files, {loaded} loaded, {duplicates} duplicate, {quarantined} "
          f"quarantined, {len(rejected)} rejected in {time.perf_counter() - started:.1f}s")
    if rejected:
        first = rejected[0]
        more = f" (and {len(rejected) - 1} more files)" if len(rejected) > 1 else ""
        raise IngestionError(f"{first.path} could not be loaded: {first.message}{more}")
    return 0


if __name__ == "__main__":  # pragma: no cover - `python -m ingestion load` is the entry point
    sys.exit(0)
