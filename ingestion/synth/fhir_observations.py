"""Telemonitoring Observations and PROM QuestionnaireResponses as FHIR R4 dicts.

Codes and units are exactly those of CLINICAL_SPEC.md section 2; the performer of patient-reported
and device data is the Patient (EHDS patient-provided data).
"""

from __future__ import annotations

from ingestion.synth.catalogue import questionnaire_url
from ingestion.synth.proms import Response
from ingestion.synth.vitals import Reading

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ANSWER_STATUS = "http://survivorship-platform.org/fhir/CodeSystem/answer-status"

# measure: (LOINC codings, unit, category)
MEASURES = {
    "heart_rate": ((("8867-4", "Heart rate"),), "/min", "vital-signs"),
    "resting_hr": ((("40443-4", "Heart rate --resting"),), "/min", "vital-signs"),
    "temperature": ((("8310-5", "Body temperature"),), "Cel", "vital-signs"),
    "weight": ((("29463-7", "Body weight"),), "kg", "vital-signs"),
    "spo2": (
        (
            ("2708-6", "Oxygen saturation in Arterial blood"),
            ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
        ),
        "%",
        "vital-signs",
    ),
    "steps": ((("55423-8", "Number of steps in unspecified time Pedometer"),), "/d", "activity"),
    "sleep": ((("93832-4", "Sleep duration"),), "h", "activity"),
    "hrv": (
        (("80404-7", "R-R interval.standard deviation (Heart rate variability)"),),
        "ms",
        "vital-signs",
    ),
}
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")
DEVICES = {
    "heart_rate": "wearable",
    "resting_hr": "wearable",
    "steps": "wearable",
    "sleep": "wearable",
    "hrv": "wearable",
    "spo2": "pulse oximeter",
    "temperature": "digital thermometer",
    "weight": "smart scale",
    "blood_pressure": "blood pressure monitor",
}


def _category(code: str) -> list[dict]:
    display = "Vital Signs" if code == "vital-signs" else "Activity"
    return [{"coding": [{"system": CATEGORY, "code": code, "display": display}]}]


def _quantity(value: float, unit: str) -> dict:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def observation(reading: Reading, patient_id: str, observation_id: str) -> dict:
    subject = {"reference": f"Patient/{patient_id}"}
    resource: dict = {"resourceType": "Observation", "id": observation_id, "status": "final"}
    if reading.measure == "blood_pressure":
        systolic, diastolic, _ = reading.value
        resource |= {
            "category": _category("vital-signs"),
            "code": {"coding": [{"system": LOINC, "code": BP_PANEL[0], "display": BP_PANEL[1]}]},
            "subject": subject,
            "effectiveDateTime": reading.start.isoformat(),
            "performer": [subject],
            "device": {"display": DEVICES["blood_pressure"]},
            "component": [
                {
                    "code": {
                        "coding": [{"system": LOINC, "code": SYSTOLIC[0], "display": SYSTOLIC[1]}]
                    },
                    "valueQuantity": _quantity(systolic, "mm[Hg]"),
                },
                {
                    "code": {
                        "coding": [{"system": LOINC, "code": DIASTOLIC[0], "display": DIASTOLIC[1]}]
                    },
                    "valueQuantity": _quantity(diastolic, "mm[Hg]"),
                },
            ],
        }
        return resource
    codings, unit, category = MEASURES[reading.measure]
    resource |= {
        "category": _category(category),
        "code": {
            "coding": [
                {"system": LOINC, "code": code, "display": display} for code, display in codings
            ]
        },
        "subject": subject,
    }
    if reading.end is not None:
        resource["effectivePeriod"] = {
            "start": reading.start.isoformat(),
            "end": reading.end.isoformat(),
        }
    else:
        resource["effectiveDateTime"] = reading.start.isoformat()
    resource["performer"] = [subject]
    resource["device"] = {"display": DEVICES[reading.measure]}
    resource["valueQuantity"] = _quantity(reading.value, unit)
    return resource


def _answer(value: int | str) -> dict:
    if isinstance(value, str):
        return {"valueCoding": {"system": ANSWER_STATUS, "code": value}}
    return {"valueInteger": value}


def questionnaire_response(response: Response, patient_id: str, response_id: str) -> dict:
    subject = {"reference": f"Patient/{patient_id}"}
    return {
        "resourceType": "QuestionnaireResponse",
        "id": response_id,
        "questionnaire": questionnaire_url(response.instrument),
        "status": "completed",
        "subject": subject,
        "authored": response.authored.isoformat(),
        "author": subject,
        "source": subject,
        "item": [
            {"linkId": link_id, "answer": [_answer(value)]} for link_id, value in response.answers
        ],
    }
