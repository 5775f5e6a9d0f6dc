"""The Bulk Data client against our own backend's $export (the real app, over TestClient)."""

from __future__ import annotations

import pytest

pytest.importorskip("app_backend.main")

from fastapi.testclient import TestClient

from app_backend.config import REPO_ROOT, Settings
from app_backend.db import make_engine, migrate
from app_backend.main import create_app
from ingestion.bulk_client import pull_export
from ingestion.load import load_paths
from tests.app_backend.conftest import World, observation


@pytest.fixture
def backend(tmp_path, monkeypatch):
    from argon2 import PasswordHasher

    from app_backend import security

    # Production argon2 parameters are deliberately slow; this test needs two accounts.
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(security, "_DUMMY_HASH", security._hasher.hash("not-a-real-password"))
    engine = make_engine(f"sqlite:///{tmp_path / 'backend.sqlite'}")
    migrate(engine)
    settings = Settings(environment="test", secret_key="test-secret-key-for-tokens-0123456789abcdef",
                        catalogue_dir=REPO_ROOT / "dbt_project" / "seeds" / "catalogue",
                        export_dir=tmp_path / "exports", landing_dir=tmp_path / "landing",
                        public_base_url="http://testserver")
    app = create_app(settings, engine)
    with TestClient(app) as client:
        yield client, World(client, app)
    engine.dispose()


def test_pull_from_our_backend_then_incremental_since(backend, tmp_path, warehouse, query):
    client, world = backend
    service, patient = world.staff("service"), world.patient()
    first = client.post("/fhir/Observation", headers=patient.headers,
                        json=observation(patient.patient_id, "8867-4", 70, "/min")).json()
    result = pull_export("http://testserver/fhir", token=service.token, out_dir=tmp_path / "run1",
                         poll_interval=0.05, client=client)
    reports = load_paths([tmp_path / "run1"], warehouse)
    assert [r.summary() for r in reports if r.rejected or r.quarantined] == []
    assert query("select patient_id from raw.fhir_resources where resource_id = ?", [first["id"]]) == [
        (patient.patient_id,)]
    later = client.post("/fhir/Observation", headers=patient.headers,
                        json=observation(patient.patient_id, "8867-4", 71, "/min")).json()
    increment = pull_export("http://testserver/fhir", token=service.token, since=result.transaction_time,
                            types=["Observation"], out_dir=tmp_path / "run2", poll_interval=0.05, client=client)
    assert list(increment.counts) == ["Observation"]
    [obs_report, _manifest] = load_paths([tmp_path / "run2"], warehouse)
    assert obs_report.loaded >= 1 and not obs_report.rejected, obs_report.summary()
    assert query("select count(*) from raw.fhir_resources where resource_id = ?", [later["id"]]) == [(1,)]
