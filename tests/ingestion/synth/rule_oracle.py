"""A small, independent reading of the CLINICAL_SPEC alert rules, used to check the generator.

It looks at the generator's readings and responses directly (canonical units) and returns the
days on which each rule would fire. It is deliberately simple: it is the yardstick for "the
injected signal crosses the threshold" and "normal data stays below it", not the platform's
alert engine (that lives in dbt).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from ingestion.synth.catalogue import instrument_items, threshold
from ingestion.synth.proms import SCHEDULE, Response
from ingestion.synth.vitals import Reading

QLQ_FUNCTIONAL = {"PF", "RF", "EF", "CF", "SF"}


def vital_firings(days: list[tuple[int, list[Reading]]]) -> dict[str, set[int]]:
    fired: dict[str, set[int]] = defaultdict(set)
    steps: dict[int, float] = {}
    weights: list[tuple[int, float]] = []
    resting: dict[int, float] = {}
    empty_run = 0
    for day, readings in days:
        empty_run = empty_run + 1 if not readings else 0
        if empty_run >= threshold("NO-DATA", "device_gap_days"):
            fired["NO-DATA"].add(day)
        for r in readings:
            if r.measure == "temperature" and r.value >= threshold("FEVER", "temperature_min"):
                fired["FEVER"].add(day)
            elif r.measure == "spo2" and r.value < threshold("SPO2-LOW", "spo2_below"):
                fired["SPO2-LOW"].add(day)
            elif r.measure == "blood_pressure":
                systolic, diastolic, _ = r.value
                if systolic >= threshold("BP-CRISIS", "systolic_min") or diastolic >= threshold(
                    "BP-CRISIS", "diastolic_min"
                ):
                    fired["BP-CRISIS"].add(day)
            elif r.measure == "resting_hr":
                resting[day] = r.value
            elif r.measure == "steps":
                steps[day] = r.value
            elif r.measure == "weight":
                weights.append((day, r.value))
    limit = threshold("TACHY", "resting_hr_above")
    for day, value in resting.items():
        if value > limit and resting.get(day - 1, 0) > limit:
            fired["TACHY"].add(day)
    window = threshold("WEIGHT-LOSS", "window_days")
    for day, value in weights:
        recent = [w for d, w in weights if day - window <= d <= day]
        if (max(recent) - value) / max(recent) * 100 >= threshold("WEIGHT-LOSS", "loss_pct_min"):
            fired["WEIGHT-LOSS"].add(day)
    recent_days = int(threshold("ACTIVITY-DROP", "recent_days"))
    baseline_days = int(threshold("ACTIVITY-DROP", "baseline_days"))
    for day in steps:
        recent = [steps[d] for d in range(day - recent_days + 1, day + 1) if d in steps]
        base = [
            steps[d]
            for d in range(day - recent_days - baseline_days + 1, day - recent_days + 1)
            if d in steps
        ]
        ratio = threshold("ACTIVITY-DROP", "ratio_below")
        enough = len(recent) >= 4 and len(base) >= 14
        if enough and sum(recent) / len(recent) < ratio * sum(base) / len(base):
            fired["ACTIVITY-DROP"].add(day)
    return fired


def _qlq_scales(answers: dict[str, int]) -> dict[str, float]:
    by_scale: dict[str, list[int]] = defaultdict(list)
    items = {i.link_id: i for i in instrument_items()["qlq-c30"]}
    sizes: dict[str, int] = defaultdict(int)
    for item in items.values():
        sizes[item.scale] += 1
    for link_id, value in answers.items():
        by_scale[items[link_id].scale].append(value)
    scores = {}
    for scale, values in by_scale.items():
        if len(values) * 2 < sizes[scale]:
            continue
        raw = sum(values) / len(values)
        if scale == "QL":
            scores[scale] = (raw - 1) / 6 * 100
        elif scale in QLQ_FUNCTIONAL:
            scores[scale] = (1 - (raw - 1) / 3) * 100
    return scores


def prom_firings(responses: list[tuple[int, Response]], days: int) -> dict[str, set[int]]:
    fired: dict[str, set[int]] = defaultdict(set)
    qlq_baseline: dict[str, float] | None = None
    answered: dict[str, list[int]] = defaultdict(list)
    for day, response in responses:
        answers = {link: value for link, value in response.answers if isinstance(value, int)}
        answered[response.instrument].append(day)
        if response.instrument == "phq-9":
            if answers.get("phq9-9", 0) >= threshold("PHQ9-ITEM9", "item9_min"):
                fired["PHQ9-ITEM9"].add(day)
            if len(answers) == 9 and sum(answers.values()) >= threshold("PHQ9-MOD", "total_min"):
                fired["PHQ9-MOD"].add(day)
        elif response.instrument == "gad-7" and sum(answers.values()) >= threshold(
            "GAD7-MOD", "total_min"
        ):
            fired["GAD7-MOD"].add(day)
        elif response.instrument == "distress-thermometer" and answers["dt-score"] >= threshold(
            "DT-REFER", "score_min"
        ):
            fired["DT-REFER"].add(day)
        elif response.instrument == "esas-r" and max(answers.values()) >= threshold(
            "ESAS-SEVERE", "item_min"
        ):
            fired["ESAS-SEVERE"].add(day)
        elif response.instrument == "qlq-c30":
            scores = _qlq_scales(answers)
            if qlq_baseline is None:
                qlq_baseline = scores
            elif any(
                qlq_baseline[s] - v >= threshold("QLQ-DROP", "drop_min")
                for s, v in scores.items()
                if s in qlq_baseline
            ):
                fired["QLQ-DROP"].add(day)
        elif response.instrument == "pro-ctcae":
            attributes = {i.link_id: i.attribute for i in instrument_items()["pro-ctcae"]}
            for link, value in answers.items():
                if attributes[link] == "severity" and value >= threshold(
                    "PRO-SEVERE", "severity_attribute_min"
                ):
                    fired["PRO-SEVERE"].add(day)
                # Normal answers are bounded so that no composite grade can exceed 1 (see proms.py).
                if (
                    attributes[link] == "frequency"
                    and value > 2
                    or attributes[link] in ("severity", "interference")
                    and value > 1
                ):
                    fired["PRO-WORSE"].add(day)
    # The warehouse's reading: any two consecutive responses further apart than the missed periods
    # plus the grace days for answering late.
    allowed = threshold("NO-DATA", "prom_missed_periods") * threshold("NO-DATA", "prom_period_days")
    allowed += threshold("NO-DATA", "prom_grace_days")
    response_days = sorted({day for day, _ in responses})
    for before, after in pairwise(response_days):
        if after - before > allowed:
            fired["NO-DATA"].add(before + int(allowed) + 1)
    for instrument, (period, first) in SCHEDULE.items():
        done = sorted(answered[instrument])
        for due in range(first + 2 * period, days, period):
            if not any(due - 2 * period < d <= due + 2 for d in done):
                fired["NO-DATA"].add(due)
    return fired
