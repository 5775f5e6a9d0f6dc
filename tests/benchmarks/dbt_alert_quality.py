"""Alerts of a built warehouse against the synthetic cohort's ground truth (used by bench_dbt.py).

Only the generated patients are judged: copies made by `bench_dbt.py --replicate` carry an `r` in
their id and have no ground truth of their own.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

# Derived alerts are judged through the alerts they are made of.
DERIVED_RULES = {"MULTI-MEDIUM", "ESCALATE"}


def evaluate(warehouse: Path, episodes_csv: Path, days: int, n_patients: int) -> dict:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        alerts = con.sql(
            """
            select identity.patient_id, alerts.rule_id, cast(alerts.episode_start as date) as first_day,
                   cast(alerts.episode_end as date) as last_day
            from marts.alerts as alerts
            inner join identity.patient_identity as identity using (patient_key)
            where identity.patient_id not like '%r%'
            """
        ).fetchall()
        question_sets = con.sql(
            """
            select instrument, sum(n_questionnaires), sum(n_meeting_rule), sum(n_opening_alert)
            from marts.alert_rate_by_questionnaire group by instrument
            """
        ).fetchall()
    episodes = list(csv.DictReader(episodes_csv.open()))
    by_patient = defaultdict(list)
    for episode in episodes:
        by_patient[episode["patient_id"]].append(
            (date.fromisoformat(episode["start"]), date.fromisoformat(episode["end"]), episode)
        )
    fired = defaultdict(list)
    for patient_id, rule_id, first_day, last_day in alerts:
        fired[(patient_id, rule_id)].append((first_day, last_day))

    expected, caught = defaultdict(int), defaultdict(int)
    for episode in episodes:
        start, end = date.fromisoformat(episode["start"]), date.fromisoformat(episode["end"])
        for rule in filter(None, episode["expected_rules"].split(";")):
            expected[rule] += 1
            if any(a <= end and b >= start for a, b in fired[(episode["patient_id"], rule)]):
                caught[rule] += 1

    false_alerts = defaultdict(int)
    for patient_id, rule_id, first_day, last_day in alerts:
        if rule_id in DERIVED_RULES:
            continue
        slack = timedelta(days=1)
        inside = any(start - slack <= first_day <= end + slack for start, end, _ in by_patient[patient_id])
        if not inside:
            false_alerts[rule_id] += 1
    patient_months = n_patients * days / 30.44
    rates = {row[0]: {"questionnaires": int(row[1]), "meeting_rule": row[2] / row[1], "opening_alert": row[3] / row[1]}
             for row in question_sets}
    return {
        "episode_recall_per_rule": {rule: round(caught[rule] / expected[rule], 3) for rule in sorted(expected)},
        "episode_recall_overall": round(sum(caught.values()) / max(sum(expected.values()), 1), 3),
        "false_alerts_per_10_patient_months": round(10 * sum(false_alerts.values()) / patient_months, 3),
        "false_alerts_per_rule": dict(sorted(false_alerts.items())),
        "alert_rate_per_questionnaire": rates,
    }

