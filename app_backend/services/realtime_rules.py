"""Alert rules that cannot wait for the next warehouse batch, evaluated on submission.

The catalogue says which rules run here (evaluated_on_submission = true) and holds every
threshold; this module only knows how to read each rule's evidence from a resource.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app_backend.services.catalogue import Rule, instruments, rules

LOINC = "http://loinc.org"
BODY_TEMPERATURE = {"8310-5"}
OXYGEN_SATURATION = {"2708-6", "59408-5"}
PHQ9 = "phq-9"
INACTIVE_STATUSES = {"entered-in-error", "cancelled"}


@dataclass(frozen=True)
class Finding:
    rule: Rule
    evidence: dict


def _codes(resource: dict) -> set[str]:
    return {c.get("code") for c in resource.get("code", {}).get("coding", []) if c.get("system") == LOINC}


def _quantity(resource: dict) -> tuple[float, str] | None:
    quantity = resource.get("valueQuantity") or {}
    if "value" not in quantity:
        return None
    return float(quantity["value"]), quantity.get("code") or quantity.get("unit") or ""


def _fever(rule: Rule, resource: dict, patient_id: str, _dir: Path) -> dict | None:
    if resource.get("resourceType") != "Observation" or not _codes(resource) & BODY_TEMPERATURE:
        return None
    reading = _quantity(resource)
    if reading is None:
        return None
    value, unit = reading
    if unit in {"[degF]", "degF", "°F"}:
        value = round((value - 32) * 5 / 9, 2)
    elif unit not in {"Cel", "°C", "C"}:
        return None
    threshold = rule.param("temperature_min", patient_id)
    if value >= threshold:
        return {"temperature_cel": value, "threshold_cel": threshold}
    return None


def _spo2_low(rule: Rule, resource: dict, patient_id: str, _dir: Path) -> dict | None:
    if resource.get("resourceType") != "Observation" or not _codes(resource) & OXYGEN_SATURATION:
        return None
    reading = _quantity(resource)
    if reading is None or reading[1] not in {"%", ""}:
        return None
    threshold = rule.param("spo2_below", patient_id)
    if reading[0] < threshold:
        return {"spo2_pct": reading[0], "threshold_below_pct": threshold}
    return None


def _phq9_item9(rule: Rule, resource: dict, patient_id: str, catalogue_dir: Path) -> dict | None:
    if resource.get("resourceType") != "QuestionnaireResponse":
        return None
    instrument = instruments(catalogue_dir).get((resource.get("questionnaire") or "").split("|")[0])
    if instrument is None or instrument.name != PHQ9:
        return None
    item9 = instrument.item_number(9)
    for entry in resource.get("item", []):
        if item9 and entry.get("linkId") == item9.link_id:
            value = next((a.get("valueInteger") for a in entry.get("answer", [])), None)
            threshold = rule.param("item9_min", patient_id)
            if value is not None and value >= threshold:
                return {"item": item9.link_id, "value": value, "threshold_min": threshold}
    return None


EVALUATORS: dict[str, Callable[[Rule, dict, str, Path], dict | None]] = {
    "FEVER": _fever,
    "SPO2-LOW": _spo2_low,
    "PHQ9-ITEM9": _phq9_item9,
}


def evaluate(catalogue_dir: Path, resource: dict, patient_id: str) -> list[Finding]:
    if resource.get("status") in INACTIVE_STATUSES:
        return []
    findings = []
    for rule in rules(catalogue_dir).values():
        evaluator = EVALUATORS.get(rule.rule_id)
        if not rule.evaluated_on_submission or evaluator is None:
            continue
        evidence = evaluator(rule, resource, patient_id, catalogue_dir)
        if evidence is not None:
            findings.append(Finding(rule=rule, evidence=evidence))
    return findings


def guidance(rule_id: str, evidence: dict, emergency_number: str) -> str:
    """What the patient should do now, in plain words."""
    if rule_id == "FEVER":
        return (f"Your temperature is {evidence['temperature_cel']} °C. A fever during or after cancer "
                "treatment can be serious: call your care team's 24-hour line now. If you cannot reach "
                f"them, or you feel very unwell, call emergency services on {emergency_number}.")
    if rule_id == "SPO2-LOW":
        return (f"Your oxygen level is {evidence['spo2_pct']:g} %. Contact your care team now. If you are "
                "short of breath, have chest pain, blue lips or feel confused, call emergency services "
                f"on {emergency_number}.")
    if rule_id == "PHQ9-ITEM9":
        return ("Thank you for telling us. Your care team has been alerted and will contact you today. "
                "If you are thinking of harming yourself or feel unsafe right now, call emergency "
                f"services on {emergency_number} or go to the nearest emergency department.")
    return f"Your care team has been alerted. If you feel unwell, call emergency services on {emergency_number}."
