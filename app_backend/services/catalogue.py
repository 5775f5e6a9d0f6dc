"""The shared catalogues in dbt_project/seeds/catalogue: PROM items and the versioned alert
rules. The warehouse (dbt) reads the same files, so no threshold is written twice."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


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


@dataclass(frozen=True)
class Instrument:
    name: str
    url: str
    items: tuple[Item, ...]

    @property
    def questionnaire_id(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[-1]

    def item(self, link_id: str) -> Item | None:
        return next((i for i in self.items if i.link_id == link_id), None)

    def item_number(self, number: int) -> Item | None:
        return next((i for i in self.items if i.item_number == number), None)


@dataclass(frozen=True)
class Rule:
    rule_id: str
    version: int
    severity: str
    title: str
    evidence: str
    evaluated_on_submission: bool
    # param -> value, default scope; patient overrides beside it (scope "patient").
    params: dict[str, float] = field(default_factory=dict)
    patient_params: dict[str, dict[str, float]] = field(default_factory=dict)

    def param(self, name: str, patient_id: str | None = None) -> float:
        override = self.patient_params.get(patient_id or "", {})
        if name in override:
            return override[name]
        if name not in self.params:
            raise KeyError(f"rule {self.rule_id} v{self.version} has no parameter {name!r} in the catalogue")
        return self.params[name]


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=8)
def instruments(catalogue_dir: Path) -> dict[str, Instrument]:
    """Instruments by questionnaire URL."""
    grouped: dict[str, list[Item]] = {}
    for row in _rows(catalogue_dir / "instrument_items.csv"):
        grouped.setdefault(row["questionnaire_url"], []).append(Item(
            instrument=row["instrument"], questionnaire_url=row["questionnaire_url"],
            link_id=row["link_id"], item_number=int(row["item_number"]), scale=row["scale"],
            attribute=row["attribute"] or "", min_value=int(row["min_value"]),
            max_value=int(row["max_value"]),
        ))
    return {
        url: Instrument(name=items[0].instrument, url=url,
                        items=tuple(sorted(items, key=lambda i: i.item_number)))
        for url, items in grouped.items()
    }


def instrument_by_name(catalogue_dir: Path, name: str) -> Instrument | None:
    return next((i for i in instruments(catalogue_dir).values() if i.name == name), None)


@lru_cache(maxsize=8)
def rules(catalogue_dir: Path) -> dict[str, Rule]:
    """The latest version of every rule, with its parameters."""
    latest: dict[str, dict] = {}
    for row in _rows(catalogue_dir / "alert_rules.csv"):
        version = int(row["rule_version"])
        if row["rule_id"] not in latest or version > int(latest[row["rule_id"]]["rule_version"]):
            latest[row["rule_id"]] = row
    params: dict[str, dict] = {}
    patient_params: dict[str, dict] = {}
    for row in _rows(catalogue_dir / "alert_rule_params.csv"):
        rule = latest.get(row["rule_id"])
        if rule is None or int(row["rule_version"]) != int(rule["rule_version"]):
            continue
        if row["scope"] == "patient":
            patient_params.setdefault(row["rule_id"], {}).setdefault(row["scope_id"], {})[
                row["param"]] = float(row["value"])
        elif row["scope"] == "default":
            params.setdefault(row["rule_id"], {})[row["param"]] = float(row["value"])
    return {
        rule_id: Rule(
            rule_id=rule_id, version=int(row["rule_version"]), severity=row["severity"],
            title=row["title"], evidence=row["evidence"],
            evaluated_on_submission=row["evaluated_on_submission"].strip().lower() == "true",
            params=params.get(rule_id, {}), patient_params=patient_params.get(rule_id, {}),
        )
        for rule_id, row in latest.items()
    }
