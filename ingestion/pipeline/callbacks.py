"""What every pipeline DAG shares: task defaults and the failure callback.

Plain data and functions (no Airflow import) so they are cheap to import when DAG files parse.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta

log = logging.getLogger("survivorship.pipeline")

# Airflow pool every task that writes (or must lock) the DuckDB warehouse runs in. One slot:
# DuckDB admits one writer process (ARCHITECTURE.md decision 2).
WAREHOUSE_POOL = "warehouse"


def log_task_failure(context) -> None:
    """Say what failed, where to look and why, in one log line (task- and DAG-level callbacks)."""
    ti = context.get("task_instance") or context.get("ti")
    dag_run = context.get("dag_run")
    dag_id = getattr(ti, "dag_id", None) or getattr(dag_run, "dag_id", "?")
    run_id = getattr(ti, "run_id", None) or getattr(dag_run, "run_id", "?")
    task_id = getattr(ti, "task_id", None)
    what = f"task {task_id} (try {getattr(ti, 'try_number', '?')})" if task_id else "DAG run"
    why = context.get("exception") or context.get("reason") or "see the task log"
    log.error("pipeline failure: %s of DAG %s, run %s: %s", what, dag_id, run_id, why)


DEFAULT_TASK_ARGS = {
    "owner": "data-platform",
    # Overridable so a deployment can tune it (and tests can fail fast instead of backing off).
    "retries": int(os.environ.get("PIPELINE_TASK_RETRIES", "3")),
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": 2.0,  # 30 s, 1 min, 2 min ...
    "max_retry_delay": timedelta(minutes=15),
    "on_failure_callback": log_task_failure,
}
