"""Real DAG runs (dag.test() after serialisation) on a throwaway AIRFLOW_HOME, warehouse, landing
zone and snapshot folder: files land in raw, the marts get rows, a snapshot is published."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import duckdb
import pytest

from ingestion.pipeline.snapshot import current_snapshot
from tests.dags.airflow_env import run_dags
from tests.pipeline_stores import pipeline_stores, synth_cohort

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("ingestion.load") is None,
                       reason="ingestion.load (the loaders) is not in the tree yet"),
]  # fmt: skip


def test_ingest_dags_then_modelling_dag(airflow_home, tmp_path):
    home, env = airflow_home
    landing = synth_cohort(tmp_path / "landing", patients=3, days=14, seed=11)
    stores = pipeline_stores(tmp_path, landing)

    runs = run_dags({**env, **stores}, "ingest_fhir_bulk", "ingest_device_csv", "warehouse_modelling",
                    "ingest_fhir_bulk")  # fmt: skip

    bulk, csv, modelling, bulk_again = runs
    assert bulk["tasks"] == {"land_fhir_bulk": "success"}, runs
    assert csv["tasks"] == {"land_device_csv": "success"}, runs
    assert modelling["state"] == "success", runs
    assert set(modelling["tasks"].values()) == {"success"}, runs
    # Nothing new the second time: skipped, so no asset event and no modelling run for nothing.
    assert bulk_again["tasks"] == {"land_fhir_bulk": "skipped"}, runs

    with duckdb.connect(stores["WAREHOUSE_PATH"], read_only=True) as con:
        assert con.execute("select count(*) from raw.fhir_resources").fetchone()[0] > 0
        kinds = {
            k
            for (k,) in con.execute(
                "select distinct source_kind from raw.device_observations"
            ).fetchall()
        }
        assert kinds == {"device-csv"}
    with duckdb.connect(str(current_snapshot(stores["SNAPSHOT_DIR"]).marts), read_only=True) as con:
        assert con.execute("select count(*) from marts.prom_scores").fetchone()[0] > 0
        assert con.execute("select count(*) from marts.telemonitoring_daily").fetchone()[0] > 0
        # The snapshot's run history shows the Airflow run that published it.
        [(run_id, status, steps)] = con.execute(
            "select run_id, status, steps from quality.pipeline_runs").fetchall()
        assert (run_id, status) == (modelling["run_id"], "success"), runs
        assert [s["step"] for s in json.loads(steps)] == ["dbt build", "quality checks", "publish"]
    with duckdb.connect(stores["WAREHOUSE_PATH"], read_only=True) as con:
        [(status, steps)] = con.execute("select status, steps from quality.pipeline_runs").fetchall()
        assert status == "success" and all(s["status"] == "success" for s in json.loads(steps))
    with sqlite3.connect(home / "airflow.db") as meta:
        events = meta.execute(
            "select a.uri, count(*) from asset_event e join asset a on a.id = e.asset_id group by a.uri"
        ).fetchall()
    assert dict(events) == {"duckdb://warehouse/raw/fhir-bulk": 1, "duckdb://warehouse/raw/device-csv": 1,
                            "duckdb://snapshots/marts": 1}  # fmt: skip


def test_backend_export_dag_pulls_loads_and_advances_the_watermark(airflow_home, tmp_path):
    """The 15-minute $export and reminder DAGs against the real backend (SQLite) with a service
    account."""
    import httpx

    from tests.infra.test_demo import answers, free_port

    _, env = airflow_home
    port = free_port()
    backend_env = {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'backend.sqlite'}",
                   "EXPORT_DIR": str(tmp_path / "exports"), "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
                   "SERVICE_PASSWORD": "export-pass-0123"}  # fmt: skip
    migrated = subprocess.run([sys.executable, "-m", "app_backend", "migrate"], env=backend_env,
                              capture_output=True, text=True, check=False)  # fmt: skip
    assert migrated.returncode == 0, migrated.stderr
    created = subprocess.run(
        [sys.executable, "-m", "app_backend", "create-user", "--role", "service", "--email", "export@test.example",
         "--name", "Export job", "--password-env", "SERVICE_PASSWORD"],
        env=backend_env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    backend = subprocess.Popen(
        [sys.executable, "-m", "app_backend", "serve", "--port", str(port), "--no-migrate"],
        env=backend_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            if answers(f"{base}/health"):
                break
            time.sleep(0.5)
        registered = httpx.post(f"{base}/auth/register", json={
            "email": "survivor@test.example", "password": "survivor-pass-0123", "name": "Sam Survivor"})  # fmt: skip
        assert registered.status_code == 201, registered.text
        stores = {
            "LANDING_DIR": str(tmp_path / "landing"),
            "WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
            "BACKEND_URL": base,
            "BACKEND_EXPORT_USER": "export@test.example",
            "BACKEND_EXPORT_PASSWORD": "export-pass-0123",
        }
        [run, reminders] = run_dags({**env, **stores}, "backend_export", "telehealth_reminders")
    finally:
        os.killpg(backend.pid, signal.SIGTERM)
        backend.wait(timeout=30)

    assert run["state"] == "success", run
    assert reminders["tasks"] == {"send": "success"}, reminders  # the service account may send them
    pulled = list((tmp_path / "landing" / "fhir" / "backend-export").rglob("*.ndjson"))
    assert pulled, "the export wrote no NDJSON files"
    with duckdb.connect(stores["WAREHOUSE_PATH"], read_only=True) as con:
        patients = con.execute(
            "select count(*) from raw.fhir_resources where resource_type = 'Patient' and source_file like '%backend-export%'"
        ).fetchone()[0]
    assert patients >= 1
    watermark = subprocess.run(
        [sys.executable, "-m", "airflow", "variables", "get", "backend_export_since"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert watermark.returncode == 0 and watermark.stdout.strip().startswith("20"), watermark.stderr
