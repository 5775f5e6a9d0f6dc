"""
### Model, check and publish the warehouse

Runs whenever any ingest DAG lands new raw rows (an event on any `duckdb://warehouse/raw/*`
asset):

1. **dbt build**: one `dbt build` of `dbt_project/` (staging, intermediate, marts and their
   tests), never one process per model: DuckDB has one writer.
2. **Great Expectations** checkpoint on the marts; results in `quality.ge_results` and
   `$QUALITY_DIR/latest.json`. A failed *critical* expectation fails the run and nothing is
   published: the dashboards keep the previous snapshot.
3. **Publish**: a new read-only snapshot in `$SNAPSHOT_DIR`, switched in atomically.

All three tasks run in the one-slot `warehouse` pool. Re-running is safe.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import AssetAny, dag
from pipeline_common import RAW_ASSETS, check_marts, dbt_build, publish_snapshot

from ingestion.pipeline.callbacks import DEFAULT_TASK_ARGS, log_task_failure


@dag(
    schedule=AssetAny(*RAW_ASSETS.values()),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_TASK_ARGS, "retries": 2},
    on_failure_callback=log_task_failure,
    tags=["warehouse", "dbt", "quality", "publish"],
    doc_md=__doc__,
)
def warehouse_modelling():
    publish_snapshot(check_marts(dbt_build()))


warehouse_modelling()
