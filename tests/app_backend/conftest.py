"""Backend test fixtures: the real app on a real database (SQLite always; PostgreSQL too when
TEST_DATABASE_URL is set, in a throwaway schema), driven over HTTP with TestClient.

Tests share one database per backend and never clean up: each builds its own people with
unique emails, so tests stay independent and fast.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import text

from app_backend import security
from app_backend.config import REPO_ROOT, Settings
from app_backend.db import make_engine, migrate
from app_backend.main import create_app
from app_backend.services.accounts import create_user

PASSWORD = "correct horse battery"
# PostgreSQL joins when CI provides it; without it the suite runs on SQLite alone.
BACKENDS = ["sqlite"] + (
    [pytest.param("postgresql", marks=pytest.mark.postgres)] if os.environ.get("TEST_DATABASE_URL") else []
)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    # Production argon2 parameters cost ~50 ms per hash; tests create hundreds of accounts.
    original, original_dummy = security._hasher, security._DUMMY_HASH
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    security._DUMMY_HASH = security._hasher.hash("not-a-real-password")
    yield
    security._hasher, security._DUMMY_HASH = original, original_dummy


@pytest.fixture(scope="session", params=BACKENDS)
def engine(request, tmp_path_factory):
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('backend') / 'backend.sqlite'}")
        migrate(eng)
        yield eng
        eng.dispose()
        return
    url = os.environ["TEST_DATABASE_URL"]
    schema = f"backend_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    eng = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    migrate(eng)
    yield eng
    eng.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'drop schema if exists "{schema}" cascade'))
    admin.dispose()


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    return Settings(
        environment="test",
        secret_key="test-secret-key-for-tokens-0123456789abcdef",
        catalogue_dir=REPO_ROOT / "dbt_project" / "seeds" / "catalogue",
        export_dir=tmp_path_factory.mktemp("exports"),
        landing_dir=tmp_path_factory.mktemp("landing"),
        public_base_url="http://testserver",
    )


@pytest.fixture(scope="session")
def app(settings, engine):
    return create_app(settings, engine)


@pytest.fixture(scope="session")
def client(app):
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class Person:
    id: int
    email: str
    role: str
    token: str
    patient_id: str | None = None
    headers: dict = field(default_factory=dict)


class World:
    """Builds people and care teams through the API (staff accounts through the service layer,
    as `python -m app_backend create-user` does)."""

    def __init__(self, client: TestClient, app):
        self.client = client
        self.app = app

    def _email(self, role: str) -> str:
        return f"{role}-{uuid.uuid4().hex[:12]}@example.org"

    def login(self, email: str, password: str = PASSWORD) -> str:
        response = self.client.post("/auth/token", data={"username": email, "password": password})
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def _person(self, user_id, email, role, patient_id=None) -> Person:
        token = self.login(email)
        return Person(id=user_id, email=email, role=role, token=token, patient_id=patient_id,
                      headers={"Authorization": f"Bearer {token}"})

    def patient(self, name: str = "Alex Synthetic", birth_date: str = "1968-04-02") -> Person:
        email = self._email("patient")
        response = self.client.post("/auth/register", json={
            "email": email, "password": PASSWORD, "name": name, "birth_date": birth_date})
        assert response.status_code == 201, response.text
        body = response.json()
        return self._person(body["id"], email, "patient", body["patient_id"])

    def staff(self, role: str) -> Person:
        email = self._email(role)
        with self.app.state.session_factory() as session:
            user = create_user(session, email=email, password=PASSWORD, name=f"Test {role}", role=role)
            session.commit()
            user_id = user.id
        return self._person(user_id, email, role)

    def caregiver(self) -> Person:
        email = self._email("caregiver")
        response = self.client.post("/auth/register/caregiver", json={
            "email": email, "password": PASSWORD, "name": "Sam Carer"})
        assert response.status_code == 201, response.text
        return self._person(response.json()["id"], email, "caregiver")

    def care_team(self, clinicians: list[Person], patients: list[Person], admin: Person | None = None) -> int:
        admin = admin or self.staff("admin")
        response = self.client.post("/admin/care-teams", headers=admin.headers,
                                    json={"name": f"team-{uuid.uuid4().hex[:8]}"})
        assert response.status_code == 201, response.text
        team_id = response.json()["id"]
        for clinician in clinicians:
            r = self.client.post(f"/admin/care-teams/{team_id}/members", headers=admin.headers,
                                 json={"user_id": clinician.id})
            assert r.status_code == 200, r.text
        for patient in patients:
            r = self.client.post(f"/admin/care-teams/{team_id}/patients", headers=admin.headers,
                                 json={"patient_id": patient.patient_id})
            assert r.status_code == 200, r.text
        return team_id

    def delegate(self, patient: Person, caregiver: Person, module: str = "*") -> dict:
        response = self.client.post("/consents/delegations", headers=patient.headers,
                                    json={"caregiver_email": caregiver.email, "module": module})
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
def world(client, app) -> World:
    return World(client, app)


def observation(patient_id: str, code: str, value: float, unit: str,
                when: str = "2026-11-20T08:00:00+01:00") -> dict:
    return {
        "resourceType": "Observation", "status": "final",
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "vital-signs"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
    }


def phq9(patient_id: str, answers: list[int], authored: str = "2026-11-20T09:00:00+01:00") -> dict:
    return {
        "resourceType": "QuestionnaireResponse", "status": "completed",
        "questionnaire": "http://survivorship-platform.org/fhir/Questionnaire/phq-9",
        "subject": {"reference": f"Patient/{patient_id}"}, "authored": authored,
        "item": [{"linkId": f"phq9-{i + 1}", "answer": [{"valueInteger": v}]}
                 for i, v in enumerate(answers)],
    }
