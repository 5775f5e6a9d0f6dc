"""The shared catalogues the generator obeys: PROM items and alert-rule thresholds.

Thresholds are read from `alert_rule_params.csv`, never restated here, so that the injected
episodes cross exactly the thresholds the warehouse evaluates, and normal data stays below them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingestion.errors import IngestionError

CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "catalogue"


@dataclass(frozen=True)
class Item:
    instrument: str
    questionnaire_url: str
    link_id: str
    item_number: int
    scale: str
    attribute: str
    min_value: int
    max_value: int


def _read_csv(name: str) -> list[dict[str, str]]:
    path = CATALOGUE_DIR / name
    if not path.exists():
        raise IngestionError(f"catalogue file {path} is missing: run from a complete checkout")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def instrument_items() -> dict[str, list[Item]]:
    """Items per instrument, in item_number order."""
    items: dict[str, list[Item]] = {}
    for row in _read_csv("instrument_items.csv"):
        item = Item(
            instrument=row["instrument"],
            questionnaire_url=row["questionnaire_url"],
            link_id=row["link_id"],
            item_number=int(row["item_number"]),
            scale=row["scale"],
            attribute=row["attribute"],
            min_value=int(row["min_value"]),
            max_value=int(row["max_value"]),
        )
        items.setdefault(item.instrument, []).append(item)
    for instrument_list in items.values():
        instrument_list.sort(key=lambda it: it.item_number)
    return items


def questionnaire_url(instrument: str) -> str:
    return instrument_items()[instrument][0].questionnaire_url


@lru_cache(maxsize=1)
def rule_params() -> dict[tuple[str, str], float]:
    """Default (scope = default) parameter values keyed by (rule_id, param), latest rule version."""
    latest: dict[tuple[str, str], tuple[int, float]] = {}
    for row in _read_csv("alert_rule_params.csv"):
        if row["scope"] != "default":
            continue
        key = (row["rule_id"], row["param"])
        version = int(row["rule_version"])
        if key not in latest or version > latest[key][0]:
            latest[key] = (version, float(row["value"]))
    return {key: value for key, (_, value) in latest.items()}


def threshold(rule_id: str, param: str) -> float:
    try:
        return rule_params()[(rule_id, param)]
    except KeyError:
        raise IngestionError(
            f"alert_rule_params.csv has no default {param} for {rule_id}"
        ) from None


@lru_cache(maxsize=1)
def rule_ids() -> tuple[str, ...]:
    return tuple(row["rule_id"] for row in _read_csv("alert_rules.csv"))
