"""One ingest DAG per source kind of the landing zone (see ingestion/pipeline/landing.py).

Each DAG is generated from the same template so every source behaves the same way: scan the
landing folder, load new files into `raw` (idempotent by content hash), and emit the source's
asset when rows landed, which schedules the modelling DAG.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag
from pipeline_common import RAW_ASSETS, land

from ingestion.pipeline.callbacks import DEFAULT_TASK_ARGS, log_task_failure
from ingestion.pipeline.landing import SOURCE_KINDS

DOC = """
### Ingest `{kind}` files

Loads every file under `$LANDING_DIR/{folder}/` into the warehouse's raw layer
(`raw.fhir_resources` or `raw.device_observations`; invalid records to `quarantine.records`).

* **Idempotent**: files and records already landed are counted as duplicates and add nothing,
  so re-runs and backfills are safe.
* **Warehouse pool**: the load runs in the one-slot `warehouse` pool (DuckDB has one writer).
* **Asset**: emits `{uri}` when new rows landed, which triggers `warehouse_modelling`;
  the task is *skipped* when there was nothing new.
* Rejected files (unreadable) are logged with their reason and stay in the landing zone.
"""

# The backend's $export has its own DAG (backend_export), which pulls before it loads.
FILE_DROP_KINDS = [kind for kind in SOURCE_KINDS if kind != "backend-export"]


def build_ingest_dag(kind: str):
    @dag(
        dag_id=f"ingest_{kind.replace('-', '_')}",
        schedule="*/30 * * * *",
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_TASK_ARGS,
        on_failure_callback=log_task_failure,
        tags=["ingest", kind],
        doc_md=DOC.format(kind=kind, folder=SOURCE_KINDS[kind], uri=RAW_ASSETS[kind].uri),
    )
    def ingest_dag():
        land(kind)

    return ingest_dag()


for _kind in FILE_DROP_KINDS:
    globals()[f"ingest_{_kind.replace('-', '_')}"] = build_ingest_dag(_kind)
