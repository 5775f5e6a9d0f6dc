"""The dbt unit_conversions seed accepts exactly the units the loader accepts (ingestion/load/units.py).

A unit the loader lets through but dbt cannot convert would be lost between the two; the seed is
one row per (lower-case unit, target unit) of units.py's rules.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ingestion.load.units import MEASURES, sql_unit_rules

SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "catalogue" / "unit_conversions.csv"


def test_seed_conversions_equal_the_loader_units():
    target = {measure.loinc: measure.unit for measure in MEASURES}
    expected = {(alias, target[loinc]): (factor, offset) for loinc, alias, factor, offset, _, _ in sql_unit_rules()}
    seed = {(row["from_unit"], row["to_unit"]): (float(row["multiplier"]), float(row["offset_after"]))
            for row in csv.DictReader(SEED.open(encoding="utf-8"))}
    assert seed.keys() == expected.keys()
    for key, (factor, offset) in expected.items():
        assert seed[key] == (pytest.approx(factor, rel=1e-12), pytest.approx(offset, abs=1e-9)), key
