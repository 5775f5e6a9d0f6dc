"""From a survivor's latest PROM scale scores to the topics they may need help with right now.

The mapping is data (`need_rules.csv`, versioned): a high QLQ-C30 fatigue score or moderate
ESAS-r tiredness points to fatigue-management resources. Thresholds that the alert catalogue
already defines (PHQ-9, GAD-7, Distress Thermometer) are read from it, never written twice.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RULES_FILE = Path(__file__).with_name("need_rules.csv")
DEFAULT_ALERT_PARAMS = (
    Path(__file__).resolve().parents[3] / "dbt_project" / "seeds" / "catalogue" / "alert_rule_params.csv"
)


# The worst possible score where higher is worse (CLINICAL_SPEC.md section 1).
WORST_SCORE = {"qlq-c30": 100.0, "phq-9": 27.0, "gad-7": 21.0, "distress-thermometer": 10.0,
               "esas-r": 10.0, "pro-ctcae": 3.0}


@dataclass(frozen=True)
class ScaleScore:
    """One scored scale: QLQ-C30 0-100, PHQ-9/GAD-7 totals, ESAS-r 0-10, PRO-CTCAE composite grade."""

    instrument: str
    scale: str
    score: float


@dataclass(frozen=True)
class NeedRule:
    instrument: str
    scale: str
    direction: str  # at_least | below
    threshold: float
    topic: str
    concern: str
    source: str
    version: int

    def fires(self, score: float) -> bool:
        return score >= self.threshold if self.direction == "at_least" else score < self.threshold

    def strength(self, score: float) -> float:
        """0.4 at the threshold up to 1.0 at the scale's worst value, so worse states rank higher."""
        if self.direction == "at_least":
            worst = WORST_SCORE.get(self.instrument, self.threshold * 2)
            fraction = (score - self.threshold) / max(worst - self.threshold, 1e-9)
        else:  # functional scales: 0 is the worst
            fraction = (self.threshold - score) / max(self.threshold, 1e-9)
        return round(0.4 + 0.6 * min(max(fraction, 0.0), 1.0), 4)


@dataclass(frozen=True)
class Need:
    topic: str
    concern: str  # plain words for the reason: "fatigue", "low mood"
    instrument: str
    scale: str
    strength: float


def _alert_params(path: Path) -> dict[str, float]:
    with path.open(newline="") as handle:
        return {
            f"{row['rule_id']}.{row['param']}": float(row["value"])
            for row in csv.DictReader(handle)
            if row["scope"] == "default"
        }


@lru_cache(maxsize=4)
def load_rules(rules_file: Path = RULES_FILE, alert_params: Path = DEFAULT_ALERT_PARAMS) -> tuple[NeedRule, ...]:
    params = _alert_params(alert_params)
    rules = []
    with rules_file.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["threshold_from"]:
                threshold = params[row["threshold_from"]]
            else:
                threshold = float(row["threshold"])
            rules.append(NeedRule(
                instrument=row["instrument"], scale=row["scale"], direction=row["direction"],
                threshold=threshold, topic=row["topic"], concern=row["concern"],
                source=row["source"], version=int(row["rule_version"]),
            ))
    return tuple(rules)


# Clinical-importance thresholds are sensitive by design: many survivors pass several. The library
# acts on the few that stand out most, so reasons stay focused.
MAX_NEEDS = 3


def current_needs(scores: Iterable[ScaleScore], rules: Iterable[NeedRule] | None = None,
                  limit: int = MAX_NEEDS) -> list[Need]:
    """The needs these scores show, strongest first, one per topic, at most `limit`."""
    by_scale: dict[tuple[str, str], list[NeedRule]] = {}
    for rule in rules if rules is not None else load_rules():
        by_scale.setdefault((rule.instrument, rule.scale), []).append(rule)
    strongest: dict[str, Need] = {}
    for score in scores:
        for rule in by_scale.get((score.instrument.lower(), score.scale), []):
            if not rule.fires(score.score):
                continue
            need = Need(rule.topic, rule.concern, rule.instrument, rule.scale, rule.strength(score.score))
            if rule.topic not in strongest or need.strength > strongest[rule.topic].strength:
                strongest[rule.topic] = need
    return sorted(strongest.values(), key=lambda n: (-n.strength, n.topic))[:limit]
