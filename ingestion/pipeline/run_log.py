"""Pipeline runs, recorded in the warehouse table `quality.pipeline_runs` (and so published in the
snapshot for the dashboards' data-quality page).

A run is inserted when it starts (status `running`) and updated when it ends (`success` or
`failed`), with one entry per step in `steps`. Only the step name and the error's class are kept
as the failure message: exception texts can quote file paths or records, and the snapshot is
analyst-facing. The writes happen in the process that runs the steps, between them, so the
warehouse keeps one writer at a time.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ingestion.warehouse import connect

RUNS_DDL = """
create schema if not exists quality;
create table if not exists quality.pipeline_runs (
    run_id       varchar primary key,
    started_at   timestamptz not null,
    finished_at  timestamptz,
    status       varchar not null,   -- running | success | failed
    duration_s   double,
    message      varchar,            -- on failure: the step and the error's class, no error text
    steps        json                -- [{"step", "status", "duration_s"}]
);
"""


def start_run(warehouse, run_id: str, started_at: datetime | None = None) -> datetime:
    """Record a run as running (a re-run with the same id starts its record afresh)."""
    started_at = started_at or datetime.now(UTC)
    con = connect(warehouse)
    try:
        con.execute(RUNS_DDL)
        con.execute("delete from quality.pipeline_runs where run_id = ?", [run_id])
        con.execute(
            "insert into quality.pipeline_runs (run_id, started_at, status, steps)"
            " values (?, ?, 'running', ?)",
            [run_id, started_at, json.dumps([])],
        )
    finally:
        con.close()
    return started_at


def finish_run(
    warehouse,
    run_id: str,
    steps: list[dict],
    error: BaseException | None = None,
    finished_at: datetime | None = None,
) -> str:
    """Record the end of a run: `success`, or `failed` when `error` is given. Returns the status."""
    finished_at = finished_at or datetime.now(UTC)
    status = "failed" if error is not None else "success"
    message = None
    if error is not None:
        failed = next((s["step"] for s in steps if s.get("status") == "failed"), None)
        message = f"{failed or 'run'} failed: {type(error).__name__}"
    con = connect(warehouse)
    try:
        con.execute(RUNS_DDL)
        con.execute(
            "update quality.pipeline_runs set finished_at = ?, status = ?, message = ?, steps = ?,"
            " duration_s = epoch(?::timestamptz) - epoch(started_at) where run_id = ?",
            [finished_at, status, message, json.dumps(steps), finished_at, run_id],
        )
    finally:
        con.close()
    return status
