"""Fixtures for the dashboard tests: a realistic published snapshot, a backend to sign in against,
and AppTest helpers."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stub_backend import StubBackend

from dashboards.demo_snapshot import build_snapshot

APP = str(REPO_ROOT / "dashboards" / "app.py")
PASSWORD = "correct-horse-battery-staple"
CLINICIAN, OTHER_CLINICIAN = "dr.vos@example.org", "dr.weber@example.org"
ANALYST, ADMIN, PATIENT = "analyst@example.org", "admin@example.org", "patient@example.org"
# pat-00001..00012 belong to Dr Vos's two teams; Dr Weber has other patients only.
VOS_PATIENTS = [f"pat-{i:05d}" for i in range(1, 13)]
WEBER_PATIENTS = [f"pat-{i:05d}" for i in range(40, 46)]


@pytest.fixture(scope="session")
def today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture(scope="session")
def snapshot_dir(tmp_path_factory, today) -> Path:
    """500 patients over 60 days: enough for analyst cells above the suppression limit."""
    return build_snapshot(tmp_path_factory.mktemp("snapshot"), patients=500, days=60, today=today)


@pytest.fixture(scope="session")
def empty_snapshot_dir(tmp_path_factory, today) -> Path:
    return build_snapshot(tmp_path_factory.mktemp("empty"), patients=0, days=1, today=today)


@pytest.fixture(scope="session")
def stub_backend():
    stub = StubBackend()
    for email, role, name in [(CLINICIAN, "clinician", "Dr Anouk Vos"),
                              (OTHER_CLINICIAN, "clinician", "Dr Jonas Weber"),
                              (ANALYST, "analyst", "Ada Analyst"), (ADMIN, "admin", "Alex Admin"),
                              (PATIENT, "patient", "Pat Patient")]:  # fmt: skip
        stub.add_user(email, PASSWORD, role, name)
    stub.care_teams[CLINICIAN] = [
        {"patient_id": pid, "name": None, "birth_date": None,
         "team": "Breast team" if i % 2 else "Thoracic team", "team_id": 1 + i % 2}
        for i, pid in enumerate(VOS_PATIENTS)
    ]  # fmt: skip
    stub.care_teams[OTHER_CLINICIAN] = [
        {"patient_id": pid, "name": None, "birth_date": None, "team": "Haematology", "team_id": 3}
        for pid in WEBER_PATIENTS
    ]  # fmt: skip
    stub.realtime_alerts = [{
        "alert_id": "rt-fever-1", "patient_id": "pat-00003", "rule_id": "FEVER", "rule_version": 1,
        "severity": "urgent", "title": "Temperature >= 38.0 Cel",
        "triggered_at": datetime.now(UTC).isoformat(),
        "evidence": {"metric": "body_temperature", "value": 38.9, "threshold": 38.0},
        "focus": "Observation/obs-1", "status": "open",
    }]  # fmt: skip
    stub.start()
    yield stub
    stub.stop()


@pytest.fixture
def dashboard_env(monkeypatch, snapshot_dir, stub_backend):
    monkeypatch.setenv("SNAPSHOT_DIR", str(snapshot_dir))
    monkeypatch.setenv("BACKEND_URL", stub_backend.url)
    return stub_backend


_components = {}


def new_app():
    """A fresh app session. Each AppTest scans every installed package for Streamlit components
    (about a second); the result never changes within a test run, so it is shared."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=30)
    if "manager" in _components:
        at._bidi_component_manager = _components["manager"]
    return at


def first_run(at):
    at.run()
    _components.setdefault("manager", at._bidi_component_manager)
    return at


def signed_in(email: str, password: str = PASSWORD):
    """A fresh app session, signed in through the sign-in form."""
    at = first_run(new_app())
    at.text_input[0].input(email)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def texts(at) -> str:
    """Everything the page says, for assertions on outcomes."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error",
                 "success", "metric"):  # fmt: skip
        for element in getattr(at, kind):
            parts.append(str(getattr(element, "value", "")) + " " + str(getattr(element, "label", "")))
    return "\n".join(parts)


def assert_no_exception(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
