"""
### Pull the backend's FHIR `$export` every 15 minutes

1. **pull**: Bulk Data `$export` of the survivor app backend (`$BACKEND_URL/fhir`) with
   `_since` = the watermark (Airflow Variable `backend_export_since`; none: everything), into
   `$LANDING_DIR/fhir/backend-export/<data interval end>/`. A re-run of the same interval reuses
   the files it already downloaded.
2. **load**: lands the files in `raw.fhir_resources` (one-slot `warehouse` pool, idempotent) and
   emits `duckdb://warehouse/raw/backend-export`, which schedules `warehouse_modelling`.
3. **advance watermark**: only after the load succeeded, to the export's `transactionTime`.

Credentials: `BACKEND_EXPORT_TOKEN`, or `BACKEND_EXPORT_USER` + `BACKEND_EXPORT_PASSWORD`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Variable, dag, get_current_context, task
from pipeline_common import RAW_ASSETS

from ingestion.pipeline.callbacks import DEFAULT_TASK_ARGS, WAREHOUSE_POOL, log_task_failure

WATERMARK = "backend_export_since"


@dag(
    schedule=timedelta(minutes=15),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_TASK_ARGS,
    on_failure_callback=log_task_failure,
    tags=["ingest", "backend-export", "fhir"],
    doc_md=__doc__,
)
def backend_export():
    @task
    def pull() -> dict:
        from ingestion.pipeline import config
        from ingestion.pipeline.export import pull as pull_export
        from ingestion.pipeline.landing import SOURCE_KINDS

        interval_end = get_current_context()["data_interval_end"]
        folder = (
            config.landing_dir()
            / SOURCE_KINDS["backend-export"]
            / interval_end.strftime("%Y%m%dT%H%M%SZ")
        )
        return pull_export(folder, since=Variable.get(WATERMARK, default=None))

    @task(pool=WAREHOUSE_POOL, outlets=[RAW_ASSETS["backend-export"]])
    def load(pulled: dict) -> dict:
        from ingestion.pipeline.ingest import describe, ingest

        summary = ingest(kinds=["backend-export"])
        print(describe(summary))
        return {**pulled, "loaded": summary["backend-export"]["loaded"]}

    @task
    def advance_watermark(loaded: dict) -> str:
        from ingestion.pipeline.export import later

        # Never move backwards: a re-run of an old interval must not re-open a closed window.
        new = later(Variable.get(WATERMARK, default=None), loaded["transaction_time"])
        Variable.set(WATERMARK, new)
        return new

    advance_watermark(load(pull()))


backend_export()
