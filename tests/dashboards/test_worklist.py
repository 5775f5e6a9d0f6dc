"""The worklist's ranking, escalation clock and the reasons it shows, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from dashboards import worklist
from dashboards.catalogue import catalogue

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _alerts(rows):
    return pd.DataFrame(rows, columns=["alert_id", "patient_key", "rule_id", "rule_version", "severity",
                                       "triggered_at", "window_start", "window_end", "evidence",
                                       "status", "centre_id", "cancer_type"])  # fmt: skip


PATIENTS = pd.DataFrame({"patient_key": ["k1", "k2"], "patient_id": ["p1", "p2"],
                         "display_name": ["Ann", "Bo"], "centre": ["BE-ANT", "DE-HEI"],
                         "teams": ["Breast", "Lung"]})  # fmt: skip


def test_rank_by_severity_unacknowledged_first_then_age_with_the_escalation_clock():
    snapshot = _alerts([
        ("a-med", "k1", "PHQ9-MOD", "1", "medium", NOW - timedelta(hours=50), None, None, "{}", "open", "BE-ANT", "breast"),
        ("a-high-new", "k2", "PRO-SEVERE", "1", "high", NOW - timedelta(hours=2), None, None, "{}", "open", "DE-HEI", "lung"),
        ("a-high-old", "k1", "BP-CRISIS", "1", "high", NOW - timedelta(hours=30), None, None, "{}", "open", "BE-ANT", "breast"),
        ("a-ack", "k2", "FEVER", "1", "urgent", NOW - timedelta(hours=5), None, None, "{}", "acknowledged", "DE-HEI", "lung"),
    ])  # fmt: skip
    realtime = worklist.realtime_frame([{"alert_id": "rt-1", "patient_id": "p1", "rule_id": "SPO2-LOW",
                                         "severity": "urgent", "triggered_at": (NOW - timedelta(hours=1)).isoformat(),
                                         "evidence": {"value": 89}, "status": "open"}])  # fmt: skip
    table = worklist.build(snapshot, realtime, PATIENTS, {}, now=NOW, cat=catalogue())
    assert list(table["alert_id"]) == ["rt-1", "a-ack", "a-high-old", "a-high-new", "a-med"]
    clock = dict(zip(table["alert_id"], table["escalates_in_hours"]))
    assert round(clock["rt-1"]) == 23 and round(clock["a-high-old"]) == -6
    assert pd.isna(clock["a-ack"]) and pd.isna(clock["a-med"])  # acknowledged / medium: no clock
    assert worklist.escalation_text(clock["a-high-old"]) == "overdue by 6 h 00 min"


def test_backend_tasks_resolve_and_acknowledge_alerts():
    snapshot = _alerts([
        ("a1", "k1", "FEVER", "1", "urgent", NOW - timedelta(hours=3), None, None, "{}", "open", "BE-ANT", "breast"),
        ("a2", "k1", "TACHY", "1", "medium", NOW - timedelta(hours=3), None, None, "{}", "open", "BE-ANT", "breast"),
        ("a3", "k2", "SPO2-LOW", "1", "urgent", NOW - timedelta(hours=3), None, None, "{}", "open", "DE-HEI", "lung"),
    ])  # fmt: skip
    tasks = [{"resourceType": "Task", "status": "completed", "focus": {"identifier": {"value": "a1"}},
              "lastModified": "2026-03-02T10:00:00Z"},
             {"resourceType": "Task", "status": "accepted", "focus": {"identifier": {"value": "a3"}},
              "lastModified": "2026-03-02T10:00:00Z"}]  # fmt: skip
    table = worklist.build(snapshot, worklist.realtime_frame([]), PATIENTS, worklist.latest_actions(tasks),
                           now=NOW, cat=catalogue())  # fmt: skip
    assert dict(zip(table["alert_id"], table["status"])) == {"a3": "acknowledged", "a2": "open"}


def test_the_reason_reads_as_a_sentence_without_internal_ids():
    text = worklist.evidence_text('{"metric": "body_temperature", "value": 38.6, "response_id": "x", '
                                  '"symptoms": [{"symptom": "fatigue", "composite_grade": 3}]}')  # fmt: skip
    assert text == "metric: body_temperature; value: 38.6; symptoms: symptom fatigue composite grade 3"
    assert worklist.evidence_text({"escalated_rule_id": "FEVER", "ack_hours": 24.0}) == (
        "FEVER alert not acknowledged within 24 h")
    assert worklist.escalation_text(-70.5) == "overdue by 2 d"
