"""
### The whole pipeline in one run

The same steps as `make pipeline` (`python -m ingestion.pipeline run`): land every source kind,
one `dbt build`, the Great Expectations checkpoint, publish a snapshot. Not scheduled: trigger it
by hand for a full refresh, or use it to check a deployment end to end. Day to day, the ingest
DAGs and `warehouse_modelling` (scheduled on their assets) do the same work incrementally.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import chain, dag
from pipeline_common import check_marts, dbt_build, land, publish_snapshot

from ingestion.pipeline.callbacks import DEFAULT_TASK_ARGS, log_task_failure
from ingestion.pipeline.landing import SOURCE_KINDS


@dag(
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_TASK_ARGS,
    on_failure_callback=log_task_failure,
    tags=["pipeline", "manual"],
    doc_md=__doc__,
)
def survivorship_pipeline():
    landed = [land(kind, emit_asset=False) for kind in SOURCE_KINDS]
    built = dbt_build()
    chain(landed, built)
    publish_snapshot(check_marts(built))


survivorship_pipeline()
