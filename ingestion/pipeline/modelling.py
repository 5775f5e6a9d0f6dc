"""Modelling: one `dbt build` per pipeline run (seeds, models, snapshots and tests in DAG order).

One build, never one process per model: DuckDB admits a single writer process (ARCHITECTURE.md
decision 2). dbt runs in a child process so its connection, and with it the warehouse's file lock,
is gone when the build ends, and its logs and artefacts go to the run's own folder.

The data tests on the big row-per-load tables (raw, staging, readings) check the rows loaded since
the start of the last successful pipeline run (dbt var `data_tests_loaded_after`, from
quality.pipeline_runs): a failed run's rows are tested again by the next run, and a warehouse with
no successful run yet is tested whole.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from ingestion.errors import IngestionError
from ingestion.pipeline import config
from ingestion.warehouse import connect

log = logging.getLogger(__name__)

DBT_ENTRY = "import sys; from dbt.cli.main import cli; sys.exit(cli())"


class DbtBuildFailed(IngestionError):
    """dbt build ended with errors or failed tests."""


def dbt_build(warehouse=None, run_id: str = "manual", project_dir=None, runs_dir=None) -> dict:
    """Run `dbt build` against the warehouse; return counts per status.

    Logs and target artefacts go to RUNS_DIR/<run_id>/dbt. Raises DbtBuildFailed naming the
    failing nodes (and where the full log is) when anything errors or a test fails."""
    project = config.dbt_project_dir(project_dir)
    if not (project / "dbt_project.yml").is_file():
        raise IngestionError(
            f"no dbt project at {project}: set DBT_PROJECT_DIR to the dbt_project folder"
        )
    target = config.warehouse(warehouse).resolve()
    if not target.exists():
        raise IngestionError(f"warehouse {target} does not exist: run the ingest step first")
    run_folder = (config.runs_dir(runs_dir) / _safe(run_id) / "dbt").resolve()
    run_folder.mkdir(parents=True, exist_ok=True)
    tested_until = last_successful_run_start(target)
    command = [
        sys.executable,
        "-c",
        DBT_ENTRY,
        "build",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(run_folder / "target"),
        "--log-path",
        str(run_folder / "logs"),
    ]
    if tested_until is not None:
        command += ["--vars", json.dumps({"data_tests_loaded_after": tested_until.isoformat()})]
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(target),
        # No network at run time: no usage statistics, no version check.
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_VERSION_CHECK": "false",
    }
    log.info(
        "dbt build: project %s, warehouse %s, logs %s, data tests on rows loaded after %s",
        project, target, run_folder, tested_until or "the beginning",
    )
    proc = subprocess.run(
        command, check=False, cwd=project, env=env, capture_output=True, text=True
    )
    (run_folder / "stdout.log").write_text(proc.stdout + proc.stderr)
    counts, failures = _read_run_results(run_folder / "target" / "run_results.json")
    if proc.returncode != 0 or failures:
        detail = "; ".join(failures[:5]) or _last_error_line(proc.stdout + proc.stderr)
        more = f" (+{len(failures) - 5} more)" if len(failures) > 5 else ""
        raise DbtBuildFailed(
            f"dbt build failed: {detail}{more} (full log: {run_folder / 'stdout.log'})"
        )
    log.info("dbt build: %s", ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    return {"status_counts": counts, "run_folder": str(run_folder)}


def last_successful_run_start(warehouse: Path) -> datetime | None:
    """Start of the last successful pipeline run recorded in the warehouse; None when there is none."""
    con = connect(warehouse, read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'quality' and table_name = 'pipeline_runs'"
        ).fetchone()[0]
        if not exists:
            return None
        return con.execute(
            "select max(started_at) from quality.pipeline_runs where status = 'success'"
        ).fetchone()[0]
    finally:
        con.close()


def _read_run_results(path: Path) -> tuple[dict, list[str]]:
    """Counts per node status, and one line per failed node, from dbt's run_results.json."""
    if not path.is_file():
        return {}, []
    counts: dict[str, int] = {}
    failures = []
    for result in json.loads(path.read_text()).get("results", []):
        status = result.get("status", "unknown")
        counts[status] = counts.get(status, 0) + 1
        if status in ("error", "fail", "runtime error"):
            message = " ".join(str(result.get("message") or status).split())[:300]
            failures.append(f"{result.get('unique_id')}: {message}")
    return counts, failures


def _last_error_line(output: str) -> str:
    """dbt's own error summary (the lines after "Encountered an error"), as one line."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for i, line in enumerate(lines):
        if "Encountered an error" in line:
            return " ".join(lines[i + 1 : i + 4])[:400]
    errors = [ln for ln in lines if "error" in ln.lower()]
    return (errors or lines or ["no output"])[-1][:400]


def _safe(run_id: str) -> str:
    """A run id as a folder name (Airflow run ids contain ':' and '+')."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in run_id)
