"""Every page, for every role, rendered with AppTest against a realistic snapshot."""

from __future__ import annotations

from conftest import (
    ADMIN,
    ANALYST,
    CLINICIAN,
    PATIENT,
    assert_no_exception,
    first_run,
    new_app,
    signed_in,
    texts,
)  # fmt: skip


def test_sign_in_page_is_shown_first(dashboard_env):
    at = first_run(new_app())
    assert_no_exception(at)
    assert "Survivorship platform" in texts(at)
    assert [t.label for t in at.text_input] == ["Email", "Password"]


def test_wrong_password_gives_one_line(dashboard_env):
    at = signed_in(CLINICIAN, "not-the-password")
    assert_no_exception(at)
    assert [e.value for e in at.error] == ["Email or password not recognised."]


def test_patient_accounts_are_turned_away(dashboard_env):
    at = signed_in(PATIENT)
    assert_no_exception(at)
    assert "patients use the survivor app" in at.error[0].value


def test_clinician_worklist_ranks_open_alerts(dashboard_env):
    at = signed_in(CLINICIAN)
    assert_no_exception(at)
    assert "Alert worklist" in texts(at)
    table = at.dataframe[0].value
    assert len(table) > 0
    # Only Dr Vos's patients appear, ranked urgent/escalation before high before medium.
    rank = {"escalation": 0, "urgent": 1, "high": 2, "medium": 3, "low": 4}
    severities = [rank[s] for s in table["Severity"]]
    assert severities == sorted(severities)
    # The real-time alert from the backend is merged in.
    assert "app (real time)" in set(table["Source"])


def test_clinician_pages_render(dashboard_env):
    at = signed_in(CLINICIAN)
    at.switch_page("app_pages/patient_view.py").run()
    assert_no_exception(at)
    page = texts(at)
    for heading in ("Alerts and why they fired", "Diagnosis and treatment", "Patient-reported outcomes",
                    "Telemonitoring", "Messages", "International Patient Summary"):  # fmt: skip
        assert heading in page
    assert "Secure messaging is not available" in page
    assert len(at.get("vega_lite_chart")) >= 3


def test_analyst_pages_render(dashboard_env):
    at = signed_in(ANALYST)
    assert_no_exception(at)
    assert "Cohort outcomes" in texts(at)
    for view in ("Symptom burden", "Adherence", "Alert burden", "QoL trajectories"):
        at.segmented_control(key="outcome_view").set_value(view).run()
        assert_no_exception(at)
        assert not at.error
    at.switch_page("app_pages/data_quality.py").run()
    assert_no_exception(at)
    page = texts(at)
    assert "Great Expectations checkpoint" in page and "Quarantined records by reason" in page


def test_admin_sees_aggregate_pages(dashboard_env):
    at = signed_in(ADMIN)
    assert_no_exception(at)
    assert "Cohort outcomes" in texts(at)
