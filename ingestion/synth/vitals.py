"""Daily telemonitoring readings of one patient, in canonical units, with episodes injected.

Normal readings are kept inside the alert thresholds of alert_rule_params.csv (with a margin that
survives unit conversion and rounding), so outside episodes the platform should stay quiet;
injected readings cross them by a clear margin. Wearable gaps last at most two days so that
"no device data for 3 days" only happens when a patient disengages.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from ingestion.synth.catalogue import threshold
from ingestion.synth.cohort import Patient
from ingestion.synth.episodes import Episode
from ingestion.synth.rand import clamp, stream

MAX_GAP_DAYS = int(threshold("NO-DATA", "device_gap_days")) - 1


class Reading(NamedTuple):  # a tuple: millions are made per run
    """One measurement. `value` is in the CLINICAL_SPEC unit; blood pressure carries (sys, dia, pulse)."""

    measure: str  # steps | heart_rate | resting_hr | sleep | hrv | weight | temperature | spo2 | blood_pressure
    start: datetime
    end: datetime | None
    value: float | tuple[int, int, int]


def _limits() -> dict[str, float]:
    """Ceilings and floors for normal data, derived from the thresholds with safety margins."""
    return {
        "temperature_max": threshold("FEVER", "temperature_min") - 0.4,
        "temperature_fever": threshold("FEVER", "temperature_min") + 0.2,
        "spo2_min": threshold("SPO2-LOW", "spo2_below") + 1,
        "spo2_low": threshold("SPO2-LOW", "spo2_below") - 2,
        "systolic_max": threshold("BP-CRISIS", "systolic_min") - 10,
        "diastolic_max": threshold("BP-CRISIS", "diastolic_min") - 8,
        "systolic_crisis": threshold("BP-CRISIS", "systolic_min") + 2,
        "diastolic_crisis": threshold("BP-CRISIS", "diastolic_min") + 2,
        "rhr_max": threshold("TACHY", "resting_hr_above") - 8,
        "rhr_tachy": threshold("TACHY", "resting_hr_above") + 3,
        "steps_drop": threshold("ACTIVITY-DROP", "ratio_below") * 0.6,
        "weight_loss": threshold("WEIGHT-LOSS", "loss_pct_min") / 100 * 1.4,
    }


def daily_readings(
    patient: Patient, seed: int, window_start: date, days: int, episodes: list[Episode]
) -> Iterator[tuple[int, list[Reading]]]:
    """Yield (day offset, readings of that day) in time order."""
    rng = stream(seed, patient.index, "vitals")
    tz = ZoneInfo(patient.centre.timezone)
    base = patient.baseline
    lim = _limits()
    wear_gap_left = 0
    days_since_gap = 99
    weight_drift = 0.0

    def at(day: date, hour: int, minute: int) -> datetime:
        return datetime.combine(day, time(hour, minute), tz)

    for offset in range(days):
        day = window_start + timedelta(days=offset)
        active = [e for e in episodes if e.covers(offset)]
        kinds = {e.kind for e in active}
        if "disengagement" in kinds:
            yield offset, []
            continue
        on_treatment = bool(
            patient.treatment_kinds_on(day) & {"chemotherapy", "immunotherapy", "targeted"}
        )
        # Wearable gaps: runs of 1..MAX_GAP_DAYS, never inside an episode, never back to back.
        if (
            wear_gap_left == 0
            and not active
            and days_since_gap > 3
            and rng.random() < (1 - base["wear_adherence"]) / 2
        ):
            wear_gap_left = rng.randint(1, MAX_GAP_DAYS)
        worn = wear_gap_left == 0
        if wear_gap_left:
            wear_gap_left -= 1
            days_since_gap = 0
        else:
            days_since_gap += 1
        readings: list[Reading] = []
        weekday = day.weekday()
        if worn:
            rhythm = 1 + base["weekly_rhythm"] * (
                0.6 if weekday == 5 else -1 if weekday == 6 else 0.1
            )
            factor = rhythm * rng.lognormvariate(0, 0.16)
            if "activity_decline" in kinds:
                factor = lim["steps_drop"] * rng.uniform(0.7, 1.1)
            elif kinds & {"infection", "fatigue_flare"}:
                factor *= 0.65
            elif "depression_onset" in kinds:
                factor *= 0.8
            readings.append(
                Reading(
                    "steps",
                    at(day, 0, 0),
                    at(day + timedelta(days=1), 0, 0),
                    int(base["steps"] * clamp(factor, 0.05, 2.5)),
                )
            )
            sleep_h = clamp(
                base["sleep_h"] + rng.gauss(0, 0.55) - (0.8 if "depression_onset" in kinds else 0),
                3.5,
                10.5,
            )
            wake = at(day, 6, 30) + timedelta(
                minutes=rng.randint(-40, 70) + (60 if weekday >= 5 else 0)
            )
            readings.append(
                Reading("sleep", wake - timedelta(hours=sleep_h + 0.3), wake, round(sleep_h, 2))
            )
            rhr = clamp(base["rhr"] + rng.gauss(0, 2.5), 45, lim["rhr_max"])
            if "infection" in kinds:
                rhr = max(base["rhr"] + 30, lim["rhr_tachy"]) + rng.uniform(0, 8)
            elif "fever" in kinds:
                rhr = min(base["rhr"] + 10, lim["rhr_max"])
            readings.append(
                Reading("resting_hr", at(day, 0, 0), at(day + timedelta(days=1), 0, 0), round(rhr))
            )
            for hour in (9, 14, 19):
                hr = rhr + abs(rng.gauss(14, 10))
                readings.append(
                    Reading("heart_rate", at(day, hour, rng.randint(0, 59)), None, round(hr))
                )
            hrv = (
                base["hrv_ms"]
                * rng.lognormvariate(0, 0.15)
                * (0.7 if kinds & {"infection", "fever"} else 1)
            )
            readings.append(Reading("hrv", at(day, 3, rng.randint(0, 59)), None, round(hrv, 1)))
        morning = at(day, 7, rng.randint(0, 50))
        weight_drift = clamp(weight_drift * 0.97 + rng.gauss(0, 0.05), -1.2, 1.2)
        weight = base["weight_kg"] + weight_drift
        # Weight lost in an episode stays lost; readings are daily while the rule's window is open.
        weight_episode = next(
            (e for e in episodes if e.kind == "weight_loss" and e.start <= offset <= e.end), None
        )
        for lost in (e for e in episodes if e.kind == "weight_loss" and e.start <= offset):
            progress = min(1.0, (offset - lost.start + 1) / (lost.signal_end - lost.start + 1))
            weight *= 1 - lim["weight_loss"] * progress
        if weight_episode or rng.random() < 0.75:
            readings.append(Reading("weight", morning, None, round(weight + rng.gauss(0, 0.2), 1)))
        fever = kinds & {"fever", "infection"}
        if fever or rng.random() < (0.8 if on_treatment else 0.45):
            temp = clamp(base["temperature"] + rng.gauss(0, 0.15), 35.8, lim["temperature_max"])
            if fever:
                temp = lim["temperature_fever"] + rng.uniform(0, 1.0)
            readings.append(
                Reading("temperature", morning + timedelta(minutes=5), None, round(temp, 1))
            )
        if "infection" in kinds or (worn and rng.random() < 0.4):
            spo2 = clamp(round(base["spo2"] + rng.gauss(0, 0.7)), lim["spo2_min"], 100)
            if any("hypoxia" in e.flags for e in active):
                spo2 = lim["spo2_low"] - rng.randint(0, 2)
            readings.append(Reading("spo2", morning + timedelta(minutes=8), None, int(spo2)))
        crisis = next((e for e in active if e.kind == "hypertension"), None)
        if crisis or rng.random() < 0.6:
            shared = rng.gauss(0, 1)  # systolic and diastolic move together
            systolic = clamp(
                base["systolic"] + 6 * shared + rng.gauss(0, 3.5), 95, lim["systolic_max"]
            )
            diastolic = clamp(
                base["diastolic"] + 4 * shared + rng.gauss(0, 2.5), 55, lim["diastolic_max"]
            )
            if crisis and "systolic" in crisis.flags:
                systolic = lim["systolic_crisis"] + rng.randint(0, 14)
            elif crisis:
                diastolic = lim["diastolic_crisis"] + rng.randint(0, 8)
            pulse = round(clamp(base["rhr"] + rng.gauss(6, 4), 45, lim["rhr_max"] + 5))
            taken = morning + timedelta(minutes=12)
            readings.append(
                Reading("blood_pressure", taken, None, (round(systolic), round(diastolic), pulse))
            )
            if rng.random() < 0.15:  # a second measurement a few minutes later, as cuffs advise
                repeat = (
                    round(systolic) + rng.randint(-3, 3),
                    round(diastolic) + rng.randint(-2, 2),
                    pulse - 1,
                )
                if not crisis:
                    repeat = (
                        min(repeat[0], round(lim["systolic_max"])),
                        min(repeat[1], round(lim["diastolic_max"])),
                        repeat[2],
                    )
                readings.append(
                    Reading("blood_pressure", taken + timedelta(minutes=3), None, repeat)
                )
        readings.sort(key=lambda r: (r.start, r.measure))
        yield offset, readings
