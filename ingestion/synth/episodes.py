"""Injected clinical episodes: what happens to whom and when, and which alert rules must fire.

Every patient with an even index gets one episode whose kind cycles through KINDS, so even a small
demo cohort (40 patients x 120 days) shows every kind; longer windows add further episodes at
random. Episodes never overlap and are separated by a quiet gap, so each rule's look-back window
sees either one episode or normal data. `end` includes the rule's look-back tail (for weight loss,
the 30-day window after the drop; for activity, the 7-day mean), i.e. the last day on which the
rule can legitimately fire because of the episode.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from ingestion.synth.catalogue import threshold
from ingestion.synth.rand import stream

KINDS = (
    "fever",
    "infection",
    "depression_onset",
    "weight_loss",
    "fatigue_flare",
    "activity_decline",
    "hypertension",
    "disengagement",
)
# Days of normal data needed before an episode: the longest personal baseline (ACTIVITY-DROP's
# 28 days) plus a margin; and the quiet gap kept between two episodes of one patient.
LEAD_IN_DAYS = 35
QUIET_GAP_DAYS = 35
EXTRA_EPISODE_BLOCK_DAYS = 180
EXTRA_EPISODE_PROBABILITY = 0.3


@dataclass(frozen=True)
class Episode:
    kind: str
    start: int  # day offset in the window, inclusive
    signal_end: int  # last day with abnormal signal
    end: int  # last day a rule may fire because of it (signal_end + look-back tail)
    expected_rules: tuple[str, ...]
    flags: frozenset[str] = field(default_factory=frozenset)

    def covers(self, day: int) -> bool:
        return self.start <= day <= self.signal_end


def _signal_days(kind: str, rng: random.Random) -> tuple[int, int]:
    """(signal length, look-back tail) in days."""
    if kind == "fever":
        return rng.randint(1, 3), 0
    if kind == "infection":
        return rng.randint(4, 7), 0
    if kind == "depression_onset":
        return rng.randint(35, 55), 0
    if kind == "weight_loss":
        return rng.randint(14, 24), int(threshold("WEIGHT-LOSS", "window_days"))
    if kind == "fatigue_flare":
        return rng.randint(10, 18), 0
    if kind == "activity_decline":
        return rng.randint(10, 16), int(threshold("ACTIVITY-DROP", "recent_days"))
    if kind == "hypertension":
        return rng.randint(5, 10), 0
    return rng.randint(16, 30), 0  # disengagement: longer than two weekly PROM periods


def _expected(kind: str, flags: frozenset[str]) -> tuple[str, ...]:
    rules = {
        "fever": ["FEVER"],
        "infection": ["FEVER", "TACHY"] + (["SPO2-LOW"] if "hypoxia" in flags else []),
        "depression_onset": ["PHQ9-MOD", "DT-REFER"]
        + (["PHQ9-ITEM9"] if "item9" in flags else [])
        + (["GAD7-MOD"] if "anxiety" in flags else []),
        "weight_loss": ["WEIGHT-LOSS"],
        "fatigue_flare": ["PRO-SEVERE", "PRO-WORSE"],
        "activity_decline": ["ACTIVITY-DROP"],
        "hypertension": ["BP-CRISIS"],
        "disengagement": ["NO-DATA"],
    }[kind]
    return tuple(rules)


def _flags(kind: str, rng: random.Random) -> frozenset[str]:
    flags = set()
    if kind == "infection" and rng.random() < 0.4:
        flags.add("hypoxia")
    if kind == "depression_onset":
        if rng.random() < 0.35:
            flags.add("item9")
        if rng.random() < 0.5:
            flags.add("anxiety")
    if kind == "hypertension":
        flags.add("diastolic" if rng.random() < 0.3 else "systolic")
    return frozenset(flags)


def plan_episodes(seed: int, index: int, days: int) -> list[Episode]:
    rng = stream(seed, index, "episodes")
    kinds: list[str] = []
    if index % 2 == 0:
        kinds.append(KINDS[(index // 2) % len(KINDS)])
    for _ in range(days // EXTRA_EPISODE_BLOCK_DAYS):
        if rng.random() < EXTRA_EPISODE_PROBABILITY:
            kinds.append(rng.choice(KINDS))
    episodes: list[Episode] = []
    earliest = LEAD_IN_DAYS
    for kind in kinds:
        length, tail = _signal_days(kind, rng)
        latest = days - length - 1
        if latest < earliest:
            continue  # the window is too short for this episode after the ones already placed
        span = min(latest, earliest + max(EXTRA_EPISODE_BLOCK_DAYS - length, 0))
        start = rng.randint(earliest, span)
        signal_end = start + length - 1
        end = min(signal_end + tail, days - 1)
        flags = _flags(kind, rng)
        episodes.append(Episode(kind, start, signal_end, end, _expected(kind, flags), flags))
        earliest = end + QUIET_GAP_DAYS
    return episodes


def ground_truth_row(patient_id: str, episode: Episode, window_start: date) -> list[str]:
    return [
        patient_id,
        episode.kind,
        (window_start + timedelta(days=episode.start)).isoformat(),
        (window_start + timedelta(days=episode.end)).isoformat(),
        ";".join(episode.expected_rules),
    ]


GROUND_TRUTH_HEADER = ["patient_id", "kind", "start", "end", "expected_rules"]
