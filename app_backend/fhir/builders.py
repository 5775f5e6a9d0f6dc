"""FHIR resources built from the app's quick-entry forms (vitals, medical events, medications)."""

from __future__ import annotations

from app_backend.db import utcnow

LOINC = "http://loinc.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
UCUM = "http://unitsofmeasure.org"

# kind -> (LOINC code, display, UCUM unit, category); CLINICAL_SPEC.md section 2.
VITALS = {
    "body-temperature": ("8310-5", "Body temperature", "Cel", "vital-signs"),
    "oxygen-saturation": ("2708-6", "Oxygen saturation in Arterial blood", "%", "vital-signs"),
    "heart-rate": ("8867-4", "Heart rate", "/min", "vital-signs"),
    "resting-heart-rate": ("40443-4", "Heart rate --resting", "/min", "vital-signs"),
    "respiratory-rate": ("9279-1", "Respiratory rate", "/min", "vital-signs"),
    "body-weight": ("29463-7", "Body weight", "kg", "vital-signs"),
    "steps": ("55423-8", "Number of steps", "/d", "activity"),
}
BLOOD_PRESSURE = ("85354-9", "8480-6", "8462-4")


def _subject(patient_id: str) -> dict:
    return {"reference": f"Patient/{patient_id}"}


def vital_observation(patient_id: str, kind: str, value: float, effective: str | None,
                      diastolic: float | None = None) -> dict:
    when = effective or utcnow().isoformat()
    if kind == "blood-pressure":
        panel, systolic_code, diastolic_code = BLOOD_PRESSURE
        category = "vital-signs"
        return {
            "resourceType": "Observation", "status": "final",
            "category": [{"coding": [{"system": OBS_CATEGORY, "code": category}]}],
            "code": {"coding": [{"system": LOINC, "code": panel, "display": "Blood pressure panel"}]},
            "subject": _subject(patient_id), "effectiveDateTime": when,
            "component": [
                {"code": {"coding": [{"system": LOINC, "code": systolic_code}]},
                 "valueQuantity": {"value": value, "unit": "mm[Hg]", "system": UCUM, "code": "mm[Hg]"}},
                {"code": {"coding": [{"system": LOINC, "code": diastolic_code}]},
                 "valueQuantity": {"value": diastolic, "unit": "mm[Hg]", "system": UCUM, "code": "mm[Hg]"}},
            ],
        }
    code, display, unit, category = VITALS[kind]
    return {
        "resourceType": "Observation", "status": "final",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": category}]}],
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
        "subject": _subject(patient_id), "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
    }


def medical_event(patient_id: str, kind: str, text: str, when: str | None,
                  coding: dict | None) -> dict:
    concept = {"text": text, **({"coding": [coding]} if coding else {})}
    subject = _subject(patient_id)
    if kind == "condition":
        resource = {"resourceType": "Condition", "code": concept, "subject": subject,
                    "clinicalStatus": {"coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                        "code": "active"}]}}
        if when:
            resource["onsetDateTime"] = when
        return resource
    if kind == "procedure":
        resource = {"resourceType": "Procedure", "status": "completed", "code": concept, "subject": subject}
        if when:
            resource["performedDateTime"] = when
        return resource
    if kind == "allergy":
        return {"resourceType": "AllergyIntolerance", "code": concept, "patient": subject,
                **({"onsetDateTime": when} if when else {})}
    # immunization
    return {"resourceType": "Immunization", "status": "completed", "vaccineCode": concept,
            "patient": subject, "occurrenceDateTime": when or utcnow().isoformat()}


def medication_statement(patient_id: str, name: str, dosage: str | None, start: str | None,
                         coding: dict | None) -> dict:
    resource = {
        "resourceType": "MedicationStatement", "status": "active",
        "medicationCodeableConcept": {"text": name, **({"coding": [coding]} if coding else {})},
        "subject": _subject(patient_id),
        "dateAsserted": utcnow().isoformat(),
    }
    if dosage:
        resource["dosage"] = [{"text": dosage}]
    if start:
        resource["effectivePeriod"] = {"start": start}
    return resource


def medication_intake(patient_id: str, statement: dict, taken: bool, when: str | None,
                      reason: str | None) -> dict:
    """One dose taken or missed, for adherence: a MedicationAdministration linked to the statement."""
    resource = {
        "resourceType": "MedicationAdministration",
        "status": "completed" if taken else "not-done",
        "medicationCodeableConcept": statement["medicationCodeableConcept"],
        "subject": _subject(patient_id),
        "effectiveDateTime": when or utcnow().isoformat(),
        "supportingInformation": [{"reference": f"MedicationStatement/{statement['id']}"}],
    }
    if not taken and reason:
        resource["statusReason"] = [{"text": reason}]
    return resource
