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
import time
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


def step_entry(name: str, status: str, started: float) -> dict:
    """A step as the record keeps it; `started` is the step's time.monotonic() at its start."""
    return {"step": name, "status": status, "duration_s": round(time.monotonic() - started, 3)}


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


def record_step(warehouse, run_id: str, step: dict, error: BaseException | None = None) -> None:
    """Append one finished step to a run's record, creating the record on the run's first step.

    For runs whose steps are separate processes (Airflow tasks). A failed step marks the run
    failed; a later successful try of it (a retry) marks the run running again, and the record
    keeps both tries, so it reads as what happened."""
    con = connect(warehouse)
    try:
        con.execute(RUNS_DDL)
        con.execute(
            "insert into quality.pipeline_runs (run_id, started_at, status, steps)"
            " values (?, ?, 'running', ?) on conflict do nothing",
            [run_id, datetime.now(UTC), json.dumps([])],
        )
        (steps,) = con.execute(
            "select steps from quality.pipeline_runs where run_id = ?", [run_id]
        ).fetchone()
        # The step replaces its own placeholder (status running), should one have been recorded.
        steps = [s for s in json.loads(steps or "[]")
                 if (s["step"], s.get("status")) != (step["step"], "running")] + [step]  # fmt: skip
        status, message, finished_at = "running", None, None
        if error is not None:
            status, message = "failed", f"{step['step']} failed: {type(error).__name__}"
            finished_at = datetime.now(UTC)
        con.execute(
            "update quality.pipeline_runs set status = ?, message = ?, steps = ?, finished_at = ?,"
            " duration_s = epoch(?::timestamptz) - epoch(started_at) where run_id = ?",
            [status, message, json.dumps(steps), finished_at, finished_at, run_id],
        )
    finally:
        con.close()


def recorded_steps(warehouse, run_id: str) -> list[dict]:
    """The steps recorded so far for a run ([] when it has no record)."""
    con = connect(warehouse)
    try:
        con.execute(RUNS_DDL)
        row = con.execute(
            "select steps from quality.pipeline_runs where run_id = ?", [run_id]
        ).fetchone()
    finally:
        con.close()
    return json.loads(row[0] or "[]") if row else []
