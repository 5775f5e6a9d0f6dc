"""Scale-out: Airflow with the CeleryExecutor (Redis broker, PostgreSQL metadata database) runs
the whole pipeline DAG on a Celery worker, end to end."""

from __future__ import annotations

import importlib.util
import os

import duckdb
import pytest

from ingestion.pipeline.snapshot import current_snapshot
from tests.dags.airflow_env import run_dags
from tests.infra.celery_cluster import (
    CeleryCluster,
    create_database,
    drop_database,
    redis_reachable,
)
from tests.pipeline_stores import pipeline_stores, synth_cohort

DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def celery_provider_incompatibility() -> str | None:
    """Why the installed Celery cannot run Airflow's CeleryExecutor, if it cannot."""
    import celery
    import celery.backends.database as database_backend

    if not hasattr(database_backend, "retry"):
        return (f"celery {celery.__version__} has no celery.backends.database.retry, which "
                "apache-airflow-providers-celery imports: the lock needs celery<5.7")  # fmt: skip
    return None


pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(not DATABASE_URL, reason="TEST_DATABASE_URL is not set (PostgreSQL metadata database)"),
    pytest.mark.skipif(bool(celery_provider_incompatibility()), reason=str(celery_provider_incompatibility())),
    pytest.mark.skipif(not redis_reachable(), reason="Redis is not reachable on 127.0.0.1:6379 (Celery broker)"),
    pytest.mark.skipif(importlib.util.find_spec("ingestion.load") is None,
                       reason="ingestion.load (the loaders) is not in the tree yet"),
]  # fmt: skip


@pytest.fixture
def metadata_database():
    try:
        url, name = create_database(DATABASE_URL)
    except Exception as exc:  # noqa: BLE001 - any connection problem means: no PostgreSQL here
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}")
    yield url
    drop_database(DATABASE_URL, name)


def test_a_celery_worker_runs_the_pipeline_dag(tmp_path, metadata_database):
    landing = synth_cohort(tmp_path / "landing", patients=3, days=14, seed=13)
    stores = pipeline_stores(tmp_path, landing)
    cluster = CeleryCluster(tmp_path / "airflow", metadata_database, stores)
    try:
        cluster.start()
        [run] = run_dags(cluster.env, "survivorship_pipeline", use_executor=True, timeout=900)
    finally:
        cluster.stop()
    assert run["state"] == "success", (run, cluster.log_tail("worker"))
    assert set(run["tasks"].values()) == {"success"}, run
    # The tasks really ran in the worker, not in the test's process.
    worker_log = (cluster.home / "worker.log").read_text(errors="replace")
    assert "survivorship_pipeline" in worker_log
    with duckdb.connect(str(current_snapshot(stores["SNAPSHOT_DIR"]).marts), read_only=True) as con:
        assert con.execute("select count(*) from marts.prom_scores").fetchone()[0] > 0
