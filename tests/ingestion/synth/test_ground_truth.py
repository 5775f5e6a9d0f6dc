"""Injected episodes are listed, really cross their rules' thresholds, and normal data stays quiet."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

from ingestion.synth.catalogue import rule_ids
from ingestion.synth.cohort import make_patient
from ingestion.synth.episodes import KINDS, plan_episodes
from ingestion.synth.proms import PromGenerator
from ingestion.synth.vitals import daily_readings
from tests.ingestion.synth.conftest import DEMO
from tests.ingestion.synth.rule_oracle import prom_firings, vital_firings

WINDOW_START = date(2026, 3, 1)


def _firings(seed: int, index: int, days: int):
    patient = make_patient(seed, index, WINDOW_START)
    episodes = plan_episodes(seed, index, days)
    readings = list(daily_readings(patient, seed, WINDOW_START, days, episodes))
    responses = list(PromGenerator(patient, seed, WINDOW_START, episodes).responses(days))
    fired = vital_firings(readings)
    for rule, fired_days in prom_firings(responses, days).items():
        fired.setdefault(rule, set()).update(fired_days)
    return episodes, fired


def test_demo_cohort_ground_truth_lists_every_kind_with_known_rules(demo_cohort: Path):
    with open(demo_cohort / "ground_truth" / "episodes.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["patient_id", "kind", "start", "end", "expected_rules"]
    kinds = Counter(row["kind"] for row in rows)
    assert set(kinds) == set(KINDS), kinds
    window = (date(2026, 11, 1).toordinal() - DEMO["days"], date(2026, 11, 1).toordinal() - 1)
    for row in rows:
        assert set(row["expected_rules"].split(";")) <= set(rule_ids())
        start, end = date.fromisoformat(row["start"]), date.fromisoformat(row["end"])
        assert window[0] <= start.toordinal() <= end.toordinal() <= window[1]


def test_every_episode_fires_its_expected_rules_inside_its_window():
    misses = []
    checked = Counter()
    for index in range(24):
        episodes, fired = _firings(seed=11, index=index, days=150)
        for episode in episodes:
            for rule in episode.expected_rules:
                checked[rule] += 1
                if not any(episode.start <= day <= episode.end for day in fired.get(rule, ())):
                    misses.append((index, episode.kind, rule))
    assert not misses
    assert len(checked) >= 12


def test_normal_data_outside_episodes_raises_no_alerts():
    false_alerts = []
    patient_days = 0
    for index in range(24):
        days = 150
        episodes, fired = _firings(seed=23, index=index, days=days)
        patient_days += days
        for rule, fired_days in fired.items():
            for day in fired_days:
                if not any(e.start <= day <= e.end + 2 for e in episodes):
                    false_alerts.append((index, rule, day))
    patient_months = patient_days / 30.4
    # The platform's target is <= 1 false alert per 10 patient-months; the generator aims at none.
    assert len(false_alerts) <= patient_months / 10 / 4, false_alerts[:10]
