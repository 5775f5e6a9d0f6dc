"""Shared by the pipeline DAGs: the warehouse assets and the tasks more than one DAG runs.

Tasks are thin: each calls one function of `ingestion.pipeline` with paths from the environment
and hands off through storage, never through memory (ARCHITECTURE.md decision 10). Imports of
the heavy libraries (dbt, Great Expectations, the loaders) happen inside the tasks.
"""

from __future__ import annotations

import logging
import time

from airflow.sdk import Asset, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from ingestion.pipeline.callbacks import WAREHOUSE_POOL
from ingestion.pipeline.landing import SOURCE_KINDS

log = logging.getLogger(__name__)

# One asset per source kind: an event means new raw rows of that kind landed in the warehouse.
RAW_ASSETS = {
    kind: Asset(name=f"raw_{kind.replace('-', '_')}", uri=f"duckdb://warehouse/raw/{kind}")
    for kind in SOURCE_KINDS
}
SNAPSHOT_ASSET = Asset(name="marts_snapshot", uri="duckdb://snapshots/marts")


def run_key() -> str:
    """This run's key for logs and results: the run id (which names the data interval)."""
    return get_current_context()["run_id"]


def recorded(step: str, work):
    """Run one step of this run and record it in quality.pipeline_runs (the dashboards' run
    history), failed tries included; returns the step's result."""
    from ingestion.pipeline.run_log import record_step, step_entry

    started = time.monotonic()
    try:
        result = work()
    except BaseException as exc:
        record_step(None, run_key(), step_entry(step, "failed", started), error=exc)
        raise
    record_step(None, run_key(), step_entry(step, "success", started))
    return result


@task(pool=WAREHOUSE_POOL)
def dbt_build() -> dict:
    """One `dbt build` over the whole project (seeds, models, tests)."""
    from ingestion.pipeline.modelling import dbt_build as build

    return recorded("dbt build", lambda: build(run_id=run_key()))


@task(pool=WAREHOUSE_POOL)
def check_marts(_built: dict) -> dict:
    """Great Expectations checkpoint on the marts; a critical failure stops the publish."""
    from ingestion.pipeline.quality import QualityCheckFailed
    from ingestion.pipeline.quality import check_marts as check

    try:
        return recorded("quality checks", lambda: check(run_id=run_key()))
    except QualityCheckFailed as exc:
        raise AirflowFailException(str(exc)) from exc  # no retry: the data would not change


@task(pool=WAREHOUSE_POOL, outlets=[SNAPSHOT_ASSET])
def publish_snapshot(_checked: dict) -> dict:
    """Copy the marts into a new read-only snapshot and switch the dashboards to it.

    The run is recorded as a success just before publishing, so the snapshot shows the run that
    published it; should publishing fail, the record says so."""
    from ingestion.pipeline.run_log import finish_run, recorded_steps
    from ingestion.pipeline.snapshot import publish

    run_id = run_key()
    finish_run(None, run_id, [*recorded_steps(None, run_id), {"step": "publish", "status": "running"}])
    result = recorded("publish", publish)
    finish_run(None, run_id, recorded_steps(None, run_id))
    return result


def land(kind: str, emit_asset: bool = True):
    """A task landing every file of one source kind.

    As the producer of the kind's asset (emit_asset) it is skipped when nothing new landed, so no
    asset event fires and the modelling DAG is not scheduled for nothing."""

    @task(
        task_id=f"land_{kind.replace('-', '_')}",
        pool=WAREHOUSE_POOL,
        outlets=[RAW_ASSETS[kind]] if emit_asset else [],
    )
    def land_kind() -> dict:
        from ingestion.pipeline.ingest import describe, ingest, loaded_anything

        summary = ingest(kinds=[kind])
        log.info("%s", describe(summary))
        if emit_asset and not loaded_anything(summary):
            raise AirflowSkipException(f"nothing new to load for {kind}")
        return summary

    return land_kind()
