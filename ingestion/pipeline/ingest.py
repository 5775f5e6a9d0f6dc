"""Ingest: land every file of the landing zone in the warehouse's raw layer.

Re-running is safe: the loader is idempotent by content hash, so files already landed count as
duplicates and add nothing. A file the loader rejects does not stop the others; it is reported
(and stays in the landing zone for the next run once fixed or replaced).
"""

from __future__ import annotations

import logging

from ingestion.errors import IngestionError
from ingestion.pipeline import config
from ingestion.pipeline.landing import SOURCE_KINDS, group_by_patient, landed_files, unknown_kinds

log = logging.getLogger(__name__)


def ingest(landing_dir=None, warehouse=None, kinds=None, progress=None) -> dict:
    """Load the landed files of the given source kinds (default: all) into `raw`.

    Returns a JSON-serialisable summary per kind: files, loaded, duplicates, quarantined and the
    rejected files with their messages (small enough for an Airflow XCom)."""
    from ingestion.load import load_paths  # heavy; imported when a run starts, not at DAG parse

    landing = config.landing_dir(landing_dir)
    target = config.warehouse(warehouse)
    kinds = list(kinds or SOURCE_KINDS)
    if bad := unknown_kinds(kinds):
        raise IngestionError(
            f"unknown source kind(s) {', '.join(bad)}: use {', '.join(SOURCE_KINDS)}"
        )
    summary = {}
    for kind in kinds:
        files = landed_files(landing, kind)
        totals = {
            "files": len(files),
            "loaded": 0,
            "duplicates": 0,
            "quarantined": 0,
            "rejected": [],
        }
        for patient, paths in group_by_patient(files).items():
            reports = load_paths(
                [str(p) for p in paths], warehouse=str(target), patient=patient, progress=progress
            )
            for report in reports:
                _add_report(totals, report)
        summary[kind] = totals
        log.info("ingest %s: %s", kind, _describe(totals))
    return summary


def _add_report(totals: dict, report) -> None:
    totals["loaded"] += int(report.loaded or 0)
    totals["duplicates"] += int(report.duplicates or 0)
    totals["quarantined"] += int(report.quarantined or 0)
    if report.rejected:
        totals["rejected"].append(
            {"path": str(report.path), "message": report.message or "rejected"}
        )
        log.warning("rejected %s: %s", report.path, report.message)


def _describe(totals: dict) -> str:
    return (
        f"{totals['files']} files, {totals['loaded']} loaded, {totals['duplicates']} duplicate, "
        f"{totals['quarantined']} quarantined, {len(totals['rejected'])} rejected"
    )


def describe(summary: dict) -> str:
    """One line per kind that had files, for logs and the command line."""
    lines = [f"{kind}: {_describe(t)}" for kind, t in summary.items() if t["files"]]
    return "\n".join(lines) or "no landed files"


def loaded_anything(summary: dict) -> bool:
    return any(t["loaded"] for t in summary.values())
