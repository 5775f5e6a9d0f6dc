"""Telemonitoring measures of CLINICAL_SPEC.md section 2: LOINC code, target UCUM unit, the source
units each one arrives in (with their conversion), and the range outside which a value is impossible.

Plausibility ranges are about physics and physiology (a body temperature of 80 Cel, a negative
weight, SpO2 above 100 %), not clinical alert thresholds, which live in the rule catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    name: str
    loinc: str
    unit: str  # UCUM unit of CLINICAL_SPEC.md
    low: float  # values outside [low, high] (after conversion) are impossible
    high: float
    conversions: dict[str, Callable[[float], float]]


def _same(x: float) -> float:
    return x


def _scale(factor: float) -> Callable[[float], float]:
    return lambda x: x * factor


_PER_MIN = {u: _same for u in ("/min", "1/min", "{beats}/min", "beats/min", "bpm", "count/min",
                                "{breaths}/min", "breaths/min", "brpm", "min-1", "/minute")}

MEASURES = [
    Measure("heart rate", "8867-4", "/min", 20, 300, _PER_MIN),
    Measure("resting heart rate", "40443-4", "/min", 20, 250, _PER_MIN),
    Measure("body temperature", "8310-5", "Cel", 25, 45, {
        **{u: _same for u in ("cel", "c", "°c", "degc", "celsius", "deg c")},
        **{u: (lambda x: (x - 32) * 5 / 9) for u in ("[degf]", "degf", "f", "°f", "fahrenheit", "deg f")},
        **{u: (lambda x: x - 273.15) for u in ("k", "kelvin")},
    }),
    Measure("body weight", "29463-7", "kg", 0.5, 500, {
        "kg": _same, "kilogram": _same, "kilograms": _same, "g": _scale(0.001),
        **{u: _scale(0.45359237) for u in ("[lb_av]", "lb", "lbs", "pound", "pounds")},
        **{u: _scale(6.35029318) for u in ("[stone_av]", "st", "stone")},
    }),
    Measure("oxygen saturation", "2708-6", "%", 30, 100, {
        "%": _same, "percent": _same, "fraction": _scale(100), "1": _scale(100), "{fraction}": _scale(100),
    }),
    Measure("oxygen saturation (pulse oximetry)", "59408-5", "%", 30, 100, {
        "%": _same, "percent": _same, "fraction": _scale(100), "1": _scale(100), "{fraction}": _scale(100),
    }),
    Measure("systolic blood pressure", "8480-6", "mm[Hg]", 40, 300, {
        "mm[hg]": _same, "mmhg": _same, "mm hg": _same, "kpa": _scale(7.50061683)}),
    Measure("diastolic blood pressure", "8462-4", "mm[Hg]", 20, 200, {
        "mm[hg]": _same, "mmhg": _same, "mm hg": _same, "kpa": _scale(7.50061683)}),
    Measure("respiratory rate", "9279-1", "/min", 2, 80, _PER_MIN),
    # Steps are counts over a period; a period of several days becomes steps per day (see units
    # of a period below). A period shorter than a day is that day's partial count.
    Measure("steps per day", "55423-8", "/d", 0, 150_000, {
        u: _same for u in ("/d", "{steps}/d", "steps/d", "steps/day", "{steps}", "steps", "count", "1",
                           "{count}", "/24.h")}),
    Measure("sleep duration", "93832-4", "h", 0, 24, {
        "h": _same, "hr": _same, "hours": _same, "hour": _same,
        "min": _scale(1 / 60), "minutes": _scale(1 / 60), "minute": _scale(1 / 60),
        "s": _scale(1 / 3600), "sec": _scale(1 / 3600)}),
    Measure("heart rate variability (SDNN)", "80404-7", "ms", 0.1, 1000, {
        "ms": _same, "msec": _same, "millisecond": _same, "milliseconds": _same, "s": _scale(1000)}),
]

BY_LOINC = {m.loinc: m for m in MEASURES}

# Counts reported per week or month become per day.
PERIOD_UNITS = {"/wk": 7, "steps/week": 7, "{steps}/wk": 7, "/mo": 30.4375, "steps/month": 30.4375}


class UnitError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def normalise(loinc: str, value, unit: str | None) -> tuple[float, str]:
    """(value, unit) in the CLINICAL_SPEC unit, or UnitError(reason_code) when it cannot be."""
    measure = BY_LOINC.get(loinc)
    if measure is None:
        raise UnitError("unknown-measure", f"LOINC {loinc} is not a telemonitoring measure")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UnitError("impossible-value", f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise UnitError("impossible-value", f"{value!r} is not a finite number")
    key = (unit or "").strip().lower()
    if key in PERIOD_UNITS and measure.loinc == "55423-8":
        converted = number / PERIOD_UNITS[key]
    elif key in measure.conversions:
        converted = measure.conversions[key](number)
    elif key == measure.unit.lower():
        converted = number
    else:
        raise UnitError("unknown-unit", f"unit {unit!r} is not known for {measure.name}")
    if not measure.low <= converted <= measure.high:
        raise UnitError("impossible-value", f"{measure.name} {converted:g} {measure.unit} is impossible")
    return converted, measure.unit


def sql_unit_rules() -> list[tuple[str, str, float, float, float, float]]:
    """(loinc, unit alias, factor, offset, low, high) rows for the set-based FHIR checks; every
    conversion here is linear, so factor and offset are read off two points."""
    rows = []
    for m in MEASURES:
        aliases = dict(m.conversions)
        aliases.setdefault(m.unit.lower(), _same)
        for alias, fn in aliases.items():
            offset = fn(0.0)
            rows.append((m.loinc, alias, fn(1.0) - offset, offset, m.low, m.high))
    return rows
