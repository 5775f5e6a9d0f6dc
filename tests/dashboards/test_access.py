"""Role enforcement in code: analysts never reach a patient view, clinicians only their own
patients, and failures read as one line, never a traceback."""

from __future__ import annotations

import json

import pytest
from conftest import (
    ANALYST,
    CLINICIAN,
    OTHER_CLINICIAN,
    REPO_ROOT,
    assert_no_exception,
    first_run,
    new_app,
    signed_in,
    texts,
)  # fmt: skip

from dashboards import access, data
from dashboards.snapshot import current_snapshot

PATIENT_PAGE = str(REPO_ROOT / "dashboards" / "app_pages" / "patient_view.py")


def _identities(snapshot_dir, fhir_ids):
    # Through the app's own read-only connection: DuckDB allows one configuration per file.
    return data.identity_for_fhir_ids(current_snapshot(snapshot_dir).identity_path, tuple(fhir_ids))


def _key_of(snapshot_dir, fhir_id: str) -> str:
    return _identities(snapshot_dir, [fhir_id])["patient_key"].iloc[0]


def _names(snapshot_dir, fhir_ids) -> list[str]:
    return list(_identities(snapshot_dir, fhir_ids)["display_name"])


def test_an_analyst_has_no_patient_view_in_the_app(dashboard_env):
    at = signed_in(ANALYST)
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page("app_pages/patient_view.py")


def test_the_patient_page_itself_refuses_an_analyst(dashboard_env, snapshot_dir):
    """Even run directly (as if reached by URL), the page checks the role before reading data."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(PATIENT_PAGE, default_timeout=30)
    at.session_state["account"] = access.Account(email=ANALYST, role="analyst", token="t")
    at.run()
    assert_no_exception(at)
    assert [e.value for e in at.error] == ["Your role does not give access to this page."]
    page = texts(at)
    assert not any(name in page for name in _names(snapshot_dir, ["pat-00001", "pat-00002"]))


def test_authorising_a_patient_needs_a_clinician_of_their_team(dashboard_env, snapshot_dir):
    identity = current_snapshot(snapshot_dir).identity_path
    analyst = access.Account(email=ANALYST, role="analyst", token="x")
    with pytest.raises(access.AccessDenied):
        access.authorise_patient(analyst, identity, _key_of(snapshot_dir, "pat-00001"))


def test_a_clinician_cannot_open_another_teams_patient_by_url(dashboard_env, snapshot_dir):
    at = signed_in(CLINICIAN)
    at.query_params["patient"] = _key_of(snapshot_dir, "pat-00040")  # Dr Weber's patient
    at.switch_page("app_pages/patient_view.py").run()
    assert_no_exception(at)
    assert [e.value for e in at.error] == ["This patient is not in your care teams."]
    assert _names(snapshot_dir, ["pat-00040"])[0] not in texts(at)


def test_the_worklist_holds_only_the_callers_patients(dashboard_env, snapshot_dir):
    vos = signed_in(CLINICIAN).dataframe[0].value
    weber = signed_in(OTHER_CLINICIAN).dataframe[0].value
    assert set(vos["Patient"]) <= set(_names(snapshot_dir, [f"pat-{i:05d}" for i in range(1, 13)]))
    assert not set(vos["Patient"]) & set(weber["Patient"])


def test_resolving_an_alert_goes_through_the_backend(dashboard_env):
    at = signed_in(CLINICIAN)
    before = len(at.dataframe[0].value)
    chosen = at.selectbox(key="worklist_alert").value
    at.radio[0].set_value("resolve")
    at.text_area[0].input("Called the patient; temperature back to normal.")
    at.button(key="FormSubmitter:alert_action-Record action").click().run()
    assert_no_exception(at)
    assert any("Recorded: resolve" in s.value for s in at.success)
    task = dashboard_env.tasks[-1]
    assert task["focus"]["identifier"]["value"] == chosen and task["status"] == "completed"
    assert len(at.dataframe[0].value) == before - 1


def test_an_action_needs_a_note(dashboard_env):
    at = signed_in(CLINICIAN)
    at.button(key="FormSubmitter:alert_action-Record action").click().run()
    assert [e.value for e in at.error] == ["Add a note saying what you did or why."]


def test_an_unreachable_backend_reads_as_one_line(dashboard_env, monkeypatch):
    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")
    at = signed_in(CLINICIAN)
    assert_no_exception(at)
    assert len(at.error) == 1 and "is not reachable" in at.error[0].value


def test_no_published_snapshot_yet(dashboard_env, monkeypatch, tmp_path):
    monkeypatch.setenv("SNAPSHOT_DIR", str(tmp_path))
    for email in (CLINICIAN, ANALYST):
        at = signed_in(email)
        assert_no_exception(at)
        assert any("No published data yet" in i.value for i in at.info)


def test_a_damaged_snapshot_shows_one_line_not_a_traceback(dashboard_env, monkeypatch, tmp_path):
    (tmp_path / "broken.duckdb").write_bytes(b"this is not a database")
    (tmp_path / "CURRENT").write_text(json.dumps({"marts": "broken.duckdb", "identity": "broken.duckdb"}))
    monkeypatch.setenv("SNAPSHOT_DIR", str(tmp_path))
    for email in (CLINICIAN, ANALYST):
        at = signed_in(email)
        assert_no_exception(at)
        assert len(at.error) == 1 and at.error[0].value.startswith("Something went wrong")
        assert "Traceback" not in texts(at)


def test_empty_snapshot_pages_show_empty_states(dashboard_env, monkeypatch, empty_snapshot_dir):
    monkeypatch.setenv("SNAPSHOT_DIR", str(empty_snapshot_dir))
    at = signed_in(CLINICIAN)
    assert_no_exception(at)
    assert not at.error and at.info
    at = signed_in(ANALYST)
    assert_no_exception(at)
    assert any("No patients in the published data yet" in i.value for i in at.info)
    at.switch_page("app_pages/data_quality.py").run()
    assert_no_exception(at)
    assert not at.error


def test_signing_out_returns_to_the_sign_in_page(dashboard_env):
    at = signed_in(ANALYST)
    at.button(key="sign_out").click().run()
    assert [t.label for t in at.text_input] == ["Email", "Password"]
    assert first_run(new_app()).text_input[0].label == "Email"
