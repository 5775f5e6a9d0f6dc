"""The expectations the marts must meet before a snapshot is published.

Sets come from the shared catalogues in dbt_project/seeds/catalogue (instruments, alert rules,
telemonitoring metrics with their UCUM units), never from literals repeated here. `critical` expectations fail the run (the
dashboards keep the previous snapshot); the others are recorded as warnings.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Check:
    expectation: str  # GE class name, e.g. ExpectColumnValuesToNotBeNull
    kwargs: dict = field(default_factory=dict)
    critical: bool = True


@dataclass(frozen=True)
class Suite:
    name: str  # also the table checked, in schema marts unless `query` says otherwise
    checks: tuple[Check, ...]
    required: bool = True  # a missing table is a critical failure
    query: str | None = None  # a derived frame to validate instead of the whole table


def _catalogue(project: Path, name: str) -> list[dict]:
    with open(project / "seeds" / "catalogue" / name, newline="") as fh:
        return list(csv.DictReader(fh))


def build_suites(dbt_project: Path) -> list[Suite]:
    instruments = sorted(
        {row["instrument"] for row in _catalogue(dbt_project, "instrument_items.csv")}
    )
    rules = _catalogue(dbt_project, "alert_rules.csv")
    rule_ids = sorted({row["rule_id"] for row in rules})
    severities = sorted({row["severity"] for row in rules})
    metrics = _catalogue(dbt_project, "telemonitoring_metrics.csv")
    metric_units = sorted({(row["metric"], row["unit"]) for row in metrics})
    not_null = "ExpectColumnValuesToNotBeNull"
    return [
        Suite(
            "prom_scores",
            (
                Check("ExpectTableRowCountToBeBetween", {"min_value": 1}, critical=False),
                Check(not_null, {"column": "patient_key"}),
                Check(not_null, {"column": "response_id"}),
                Check(not_null, {"column": "scale"}),
                Check(
                    "ExpectColumnValuesToBeInSet",
                    {"column": "instrument", "value_set": instruments},
                ),
                # Null scores are allowed (too few items answered); GE's range check ignores nulls.
                Check(
                    "ExpectColumnValuesToBeBetween",
                    {"column": "score", "min_value": 0, "max_value": 100},
                ),
            ),
        ),
        Suite(
            "alerts",
            (
                Check(not_null, {"column": "patient_key"}),
                Check("ExpectColumnValuesToBeUnique", {"column": "alert_id"}),
                Check("ExpectColumnValuesToBeInSet", {"column": "rule_id", "value_set": rule_ids}),
                Check(
                    "ExpectColumnValuesToBeInSet", {"column": "severity", "value_set": severities}
                ),
            ),
            required=False,
        ),
        Suite(
            "telemonitoring_daily",
            (
                Check("ExpectTableRowCountToBeBetween", {"min_value": 1}, critical=False),
                Check(not_null, {"column": "patient_key"}),
                Check(not_null, {"column": "metric"}),
                Check(not_null, {"column": "value"}),
                # Each metric in its CLINICAL_SPEC.md unit (the catalogue's metric, unit pairs).
                Check(
                    "ExpectColumnPairValuesToBeInSet",
                    {"column_A": "metric", "column_B": "unit", "value_pairs_set": metric_units},
                ),
            ),
        ),
        # One unit per metric: the distinct (metric, unit) pairs must not repeat a metric.
        Suite(
            "telemonitoring_units",
            (Check("ExpectColumnValuesToBeUnique", {"column": "metric"}),),
            query="select distinct metric, unit from marts.telemonitoring_daily",
        ),
    ]
