"""
### Retention of landing files and logs

Once a day, deletes landing files older than `RETENTION_LANDING_DAYS` (default 365) and log files
older than `RETENTION_LOG_DAYS` (default 90): pipeline run folders, quality results, dbt's and
Airflow's logs. Age is measured against the run's data interval end, so a re-run of the same day
deletes the same files. Raw rows are not touched: they leave the warehouse only through erasure
(`python -m ingestion.privacy erase PATIENT_ID`).
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, get_current_context, task

from ingestion.pipeline.callbacks import DEFAULT_TASK_ARGS, WAREHOUSE_POOL, log_task_failure


@dag(
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_TASK_ARGS,
    on_failure_callback=log_task_failure,
    tags=["privacy", "retention"],
    doc_md=__doc__,
)
def privacy_retention():
    # In the warehouse pool: it deletes landing files, which must not vanish under a running load.
    @task(pool=WAREHOUSE_POOL)
    def enforce() -> dict:
        from ingestion.pipeline import config
        from ingestion.privacy.retention import RetentionPolicy, default_log_dirs, enforce_retention

        interval_end = get_current_context()["data_interval_end"]
        return enforce_retention(config.landing_dir(), default_log_dirs(), RetentionPolicy.from_env(), now=interval_end)

    enforce()


privacy_retention()
