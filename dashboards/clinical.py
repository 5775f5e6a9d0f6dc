"""Clinical display knowledge: metric labels, which rule watches which metric, PROM thresholds.

Every number comes from the rule catalogue (dbt seeds); this module only says where it applies.
"""

from __future__ import annotations

from dashboards.catalogue import Catalogue

# Metric names as the marts spell them, and as LOINC codes in case a mart keys by code.
METRIC_LABELS = {
    "steps": "Steps per day", "55423-8": "Steps per day",
    "resting_heart_rate": "Resting heart rate (/min)", "40443-4": "Resting heart rate (/min)",
    "heart_rate": "Heart rate (/min)", "8867-4": "Heart rate (/min)",
    "body_temperature": "Body temperature (°C)", "8310-5": "Body temperature (°C)",
    "oxygen_saturation": "Oxygen saturation (%)", "2708-6": "Oxygen saturation (%)",
    "59408-5": "Oxygen saturation (%)",
    "body_weight": "Body weight (kg)", "29463-7": "Body weight (kg)",
    "systolic_bp": "Systolic BP (mm Hg)", "8480-6": "Systolic BP (mm Hg)",
    "diastolic_bp": "Diastolic BP (mm Hg)", "8462-4": "Diastolic BP (mm Hg)",
    "respiratory_rate": "Respiratory rate (/min)", "9279-1": "Respiratory rate (/min)",
    "sleep_duration": "Sleep (h)", "93832-4": "Sleep (h)",
    "hrv_sdnn": "HRV SDNN (ms)", "80404-7": "HRV SDNN (ms)",
}  # fmt: skip

# rule -> (metrics it watches, threshold parameter drawn on that metric's chart)
RULE_METRICS = {
    "FEVER": ({"body_temperature", "8310-5"}, "temperature_min"),
    "SPO2-LOW": ({"oxygen_saturation", "2708-6", "59408-5"}, "spo2_below"),
    "BP-CRISIS": ({"systolic_bp", "8480-6"}, "systolic_min"),
    "TACHY": ({"resting_heart_rate", "40443-4"}, "resting_hr_above"),
    "WEIGHT-LOSS": ({"body_weight", "29463-7"}, None),
    "ACTIVITY-DROP": ({"steps", "55423-8"}, None),
}

INSTRUMENT_LABELS = {
    "qlq-c30": "EORTC QLQ-C30", "phq-9": "PHQ-9 (depression)", "gad-7": "GAD-7 (anxiety)",
    "pro-ctcae": "PRO-CTCAE (composite grade)", "esas-r": "ESAS-r",
    "distress-thermometer": "Distress Thermometer",
}  # fmt: skip
QLQ_FUNCTIONAL = {"QL", "PF", "RF", "EF", "CF", "SF"}
# The full range of each instrument's scores, so a trajectory is read against its scale.
SCORE_RANGES = {"qlq-c30": (0, 100), "phq-9": (0, 27), "gad-7": (0, 21), "pro-ctcae": (0, 3),
                "esas-r": (0, 10), "distress-thermometer": (0, 10)}  # fmt: skip


def metric_label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric.replace("_", " ").capitalize())


def metric_threshold(cat: Catalogue, metric: str) -> tuple[float, str] | None:
    """The alert threshold to draw on a metric's chart, with its rule, if any."""
    for rule_id, (metrics, param) in RULE_METRICS.items():
        if metric in metrics and param and cat.param(rule_id, param) is not None:
            return cat.param(rule_id, param), rule_id
    if metric in {"diastolic_bp", "8462-4"} and cat.param("BP-CRISIS", "diastolic_min"):
        return cat.param("BP-CRISIS", "diastolic_min"), "BP-CRISIS"
    return None


def rules_for_metric(metric: str) -> set[str]:
    rules = {rule for rule, (metrics, _) in RULE_METRICS.items() if metric in metrics}
    if metric in {"diastolic_bp", "8462-4"}:
        rules.add("BP-CRISIS")
    return rules


def prom_threshold(cat: Catalogue, instrument: str, scale: str, baseline: float | None):
    """(value, label) of the clinical-importance line for one PROM scale, or None.

    First the published clinical-importance threshold (Giesinger 2020 for QLQ-C30, the instruments'
    own cut-offs); for QL, which has none, the patient's own baseline minus the QLQ-DROP change;
    otherwise the score that raises the scale's alert."""
    known = cat.importance.get((instrument, scale))
    if known is not None:
        side = "<" if known.direction == "below" else "≥"
        return known.threshold, f"clinically important {side} {known.threshold:g}"
    if instrument == "qlq-c30":
        drop = cat.param("QLQ-DROP", "drop_min")
        if scale in QLQ_FUNCTIONAL and baseline is not None and drop is not None:
            return baseline - drop, f"baseline − {drop:g} (QLQ-DROP)"
        return None
    rule_param = {
        "phq-9": ("PHQ9-MOD", "total_min"),
        "gad-7": ("GAD7-MOD", "total_min"),
        "distress-thermometer": ("DT-REFER", "score_min"),
        "esas-r": ("ESAS-SEVERE", "item_min"),
        "pro-ctcae": ("PRO-SEVERE", "composite_grade_min"),
    }.get(instrument)
    if rule_param is None or cat.param(*rule_param) is None:
        return None
    value = cat.param(*rule_param)
    return value, f"{rule_param[0]} ≥ {value:g}"
