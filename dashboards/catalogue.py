"""The shared alert-rule catalogue (dbt seeds), read rather than repeated (ARCHITECTURE.md decision 6).

Thresholds drawn on charts and the escalation deadline on the worklist come from here, so a centre
that tunes a rule in the seed sees the dashboards follow.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dashboards.config import get_settings

# Worklist order: an overdue escalation first, then by clinical urgency.
SEVERITY_RANK = {"escalation": 0, "urgent": 1, "high": 2, "medium": 3, "low": 4}
SEVERITY_COLOURS = {  # colour-blind-safe (Okabe-Ito), dark enough for white text
    "escalation": "#7A0177",
    "urgent": "#D55E00",
    "high": "#E69F00",
    "medium": "#0072B2",
    "low": "#6B6B6B",
}


@dataclass(frozen=True)
class Rule:
    rule_id: str
    version: str
    severity: str
    title: str
    evidence: str


@dataclass(frozen=True)
class Importance:
    """A clinical-importance threshold for one PROM scale (reference seed)."""

    threshold: float
    direction: str  # below | at_or_above
    source: str


@dataclass(frozen=True)
class Catalogue:
    rules: dict[str, Rule]
    params: dict[tuple[str, str], float]  # (rule_id, param) -> default-scope value, latest version
    importance: dict[tuple[str, str], Importance]  # (instrument, scale) -> threshold

    def param(self, rule_id: str, name: str) -> float | None:
        return self.params.get((rule_id, name))

    def title(self, rule_id: str) -> str:
        rule = self.rules.get(rule_id)
        return rule.title if rule else rule_id

    @property
    def escalation_hours(self) -> float:
        hours = self.param("ESCALATE", "ack_hours")
        if hours is None:
            raise ValueError("the rule catalogue has no ESCALATE ack_hours parameter")
        return hours

    @property
    def escalating_severities(self) -> frozenset[str]:
        # CLINICAL_SPEC.md section 3: urgent or high alerts escalate when not acknowledged in time.
        return frozenset({"urgent", "high"})


def _latest(rows: list[dict], key) -> dict:
    chosen: dict = {}
    for row in rows:
        k = key(row)
        if k not in chosen or int(row["rule_version"]) > int(chosen[k]["rule_version"]):
            chosen[k] = row
    return chosen


def load_catalogue(directory: Path) -> Catalogue:
    with open(directory / "alert_rules.csv", newline="", encoding="utf-8") as handle:
        rule_rows = list(csv.DictReader(handle))
    with open(directory / "alert_rule_params.csv", newline="", encoding="utf-8") as handle:
        param_rows = [r for r in csv.DictReader(handle) if r["scope"] == "default"]
    rules = {
        rid: Rule(rid, row["rule_version"], row["severity"], row["title"], row["evidence"])
        for rid, row in _latest(rule_rows, lambda r: r["rule_id"]).items()
    }
    params = {
        key: float(row["value"])
        for key, row in _latest(param_rows, lambda r: (r["rule_id"], r["param"])).items()
    }
    importance = {}
    thresholds = directory.parent / "reference" / "clinical_importance_thresholds.csv"
    if thresholds.exists():
        with open(thresholds, newline="", encoding="utf-8") as handle:
            importance = {
                (r["instrument"], r["scale"]): Importance(float(r["threshold"]), r["direction"], r["source"])
                for r in csv.DictReader(handle)
            }
    return Catalogue(rules=rules, params=params, importance=importance)


@lru_cache(maxsize=4)
def _cached(directory: str) -> Catalogue:
    return load_catalogue(Path(directory))


def catalogue() -> Catalogue:
    return _cached(str(get_settings().catalogue_dir))
