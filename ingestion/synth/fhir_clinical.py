"""The hospital side of a patient as FHIR R4 resources (plain dicts, serialised by the writer).

These are what a hospital FHIR server exports: Organization, Patient, Condition, Procedure,
MedicationStatement, AllergyIntolerance. The same dicts go to the bulk NDJSON and to the
per-patient transaction Bundle, so a re-delivery deduplicates by content hash.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from ingestion.synth.centres import STREETS, Centre
from ingestion.synth.clinical_tables import CANCERS
from ingestion.synth.cohort import Patient
from ingestion.synth.rand import stream

SID = "http://survivorship-platform.org/fhir/sid"
CS = "http://survivorship-platform.org/fhir/CodeSystem"
PATIENT_ID_SYSTEM = f"{SID}/patient-id"
CENTRE_SYSTEM = f"{CS}/centre"
COUNTRY_SYSTEM = "urn:iso:std:iso:3166"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
SNOMED = "http://snomed.info/sct"
ATC = "http://www.whocc.no/atc"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem"
STAGE_SNOMED = {
    "I": ("258215001", "Stage 1"),
    "II": ("258219007", "Stage 2"),
    "III": ("258224005", "Stage 3"),
    "IV": ("258228008", "Stage 4"),
}


def _meta(last_updated: str, centre: Centre) -> dict:
    return {
        "versionId": "1",
        "lastUpdated": last_updated,
        "tag": [
            {"system": CENTRE_SYSTEM, "code": centre.centre_id},
            {"system": COUNTRY_SYSTEM, "code": centre.country},
        ],
    }


def _coding(system: str, code: str, display: str) -> dict:
    return {"system": system, "code": code, "display": display}


def _ref(resource_type: str, resource_id: str) -> dict:
    return {"reference": f"{resource_type}/{resource_id}"}


def organization(centre: Centre, last_updated: str) -> dict:
    return {
        "resourceType": "Organization",
        "id": centre.centre_id,
        "meta": _meta(last_updated, centre),
        "identifier": [{"system": f"{SID}/centre-id", "value": centre.centre_id}],
        "active": True,
        "type": [
            {"coding": [_coding(f"{TERMINOLOGY}/organization-type", "prov", "Healthcare Provider")]}
        ],
        "name": centre.name,
        "address": [{"city": centre.city, "country": centre.country}],
    }


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def patient_resource(patient: Patient, seed: int, last_updated: str) -> dict:
    rng = stream(seed, patient.index, "contact")
    centre = patient.centre
    pid = patient.patient_id
    return {
        "resourceType": "Patient",
        "id": pid,
        "meta": _meta(last_updated, centre),
        "identifier": [
            {"use": "official", "system": PATIENT_ID_SYSTEM, "value": pid},
            {
                "use": "usual",
                "system": f"{SID}/mrn/{centre.centre_id}",
                "value": f"MRN{rng.randrange(10**7):07d}",
            },
        ],
        "active": True,
        "name": [{"use": "official", "family": patient.family, "given": [patient.given]}],
        "telecom": [
            {
                "system": "email",
                "value": f"{_ascii(patient.given)}.{_ascii(patient.family)}.{patient.index + 1}@example.org",
                "use": "home",
            },
            {
                "system": "phone",
                "value": f"{centre.phone_prefix} {rng.randrange(10**6):06d}",
                "use": "mobile",
            },
        ],
        "gender": patient.sex,
        "birthDate": patient.birth_date.isoformat(),
        "address": [
            {
                "use": "home",
                "line": [f"{STREETS[centre.language]} {rng.randint(1, 120)}"],
                "city": centre.city,
                "postalCode": centre.postal_format.format(rng.randrange(1, 10**4)),
                "country": centre.country,
            }
        ],
        "communication": [
            {
                "language": {"coding": [{"system": "urn:ietf:bcp:47", "code": centre.language}]},
                "preferred": True,
            }
        ],
        "managingOrganization": _ref("Organization", centre.centre_id),
    }


def conditions(patient: Patient, export_day: date, last_updated: str) -> list[dict]:
    pid = patient.patient_id
    _, icd10, display, _, _ = CANCERS[patient.cancer]
    on_treatment = any(
        t.end is None or t.end >= export_day
        for t in patient.treatments
        if t.kind in ("chemotherapy", "immunotherapy", "targeted", "radiotherapy")
    )
    active = (
        patient.stage == "IV" or on_treatment or (export_day - patient.diagnosis_date).days < 365
    )
    stage_code, stage_display = STAGE_SNOMED[patient.stage]
    cancer = {
        "resourceType": "Condition",
        "id": f"{pid}-cancer",
        "meta": _meta(last_updated, patient.centre),
        "clinicalStatus": {
            "coding": [
                {
                    "system": f"{TERMINOLOGY}/condition-clinical",
                    "code": "active" if active else "remission",
                }
            ]
        },
        "verificationStatus": {
            "coding": [{"system": f"{TERMINOLOGY}/condition-ver-status", "code": "confirmed"}]
        },
        "category": [
            {
                "coding": [
                    {"system": f"{TERMINOLOGY}/condition-category", "code": "problem-list-item"}
                ]
            }
        ],
        "code": {
            "coding": [
                _coding(ICD10, icd10, display),
                {"system": f"{CS}/cancer-type", "code": patient.cancer},
            ],
            "text": display,
        },
        "subject": _ref("Patient", pid),
        "onsetDateTime": patient.diagnosis_date.isoformat(),
        "recordedDate": patient.diagnosis_date.isoformat(),
        "stage": [
            {
                "summary": {
                    "coding": [_coding(SNOMED, stage_code, stage_display)],
                    "text": f"Stage {patient.stage}",
                }
            }
        ],
    }
    resources = [cancer]
    for n, (code, name) in enumerate(patient.comorbidities, start=1):
        onset = patient.diagnosis_date - timedelta(days=365 * (2 + (patient.index + n) % 12))
        resources.append(
            {
                "resourceType": "Condition",
                "id": f"{pid}-comorbidity-{n}",
                "meta": _meta(last_updated, patient.centre),
                "clinicalStatus": {
                    "coding": [{"system": f"{TERMINOLOGY}/condition-clinical", "code": "active"}]
                },
                "verificationStatus": {
                    "coding": [
                        {"system": f"{TERMINOLOGY}/condition-ver-status", "code": "confirmed"}
                    ]
                },
                "category": [
                    {
                        "coding": [
                            {
                                "system": f"{TERMINOLOGY}/condition-category",
                                "code": "problem-list-item",
                            }
                        ]
                    }
                ],
                "code": {"coding": [_coding(ICD10, code, name)], "text": name},
                "subject": _ref("Patient", pid),
                "onsetDateTime": max(
                    onset, patient.birth_date + timedelta(days=365 * 18)
                ).isoformat(),
            }
        )
    return resources


def treatments(patient: Patient, export_day: date, last_updated: str) -> list[dict]:
    """Procedure (surgery, radiotherapy) and MedicationStatement (systemic therapy) resources."""
    pid = patient.patient_id
    resources = []
    for n, treatment in enumerate(t for t in patient.treatments if t.start <= export_day):
        ongoing = treatment.end is None or treatment.end > export_day
        common = {"meta": _meta(last_updated, patient.centre), "subject": _ref("Patient", pid)}
        if treatment.kind in ("surgery", "radiotherapy"):
            period = {"start": treatment.start.isoformat()}
            if not ongoing:
                period["end"] = treatment.end.isoformat()
            resources.append(
                {
                    "resourceType": "Procedure",
                    "id": f"{pid}-procedure-{n + 1}",
                    **common,
                    "status": "in-progress" if ongoing else "completed",
                    "category": {
                        "coding": [{"system": f"{CS}/treatment-kind", "code": treatment.kind}]
                    },
                    "code": {
                        "coding": [
                            _coding(f"{CS}/cancer-procedure", treatment.code, treatment.display)
                        ],
                        "text": treatment.display,
                    },
                    **(
                        {"performedDateTime": treatment.start.isoformat()}
                        if treatment.kind == "surgery"
                        else {"performedPeriod": period}
                    ),
                    "reasonReference": [_ref("Condition", f"{pid}-cancer")],
                }
            )
            continue
        period = {"start": treatment.start.isoformat()}
        if not ongoing:
            period["end"] = treatment.end.isoformat()
        resources.append(
            {
                "resourceType": "MedicationStatement",
                "id": f"{pid}-medication-{n + 1}",
                **common,
                "status": "active" if ongoing else "completed",
                "category": {
                    "coding": [{"system": f"{CS}/treatment-kind", "code": treatment.kind}]
                },
                "medicationCodeableConcept": {
                    "coding": [_coding(ATC, treatment.code, treatment.display)],
                    "text": treatment.display,
                },
                "effectivePeriod": period,
                "dateAsserted": treatment.start.isoformat(),
                "reasonReference": [_ref("Condition", f"{pid}-cancer")],
            }
        )
    return resources


REACTIONS = {"medication": "Urticaria", "food": "Angioedema", "environment": "Rhinitis"}


def allergies(patient: Patient, last_updated: str) -> list[dict]:
    pid = patient.patient_id
    return [
        {
            "resourceType": "AllergyIntolerance",
            "id": f"{pid}-allergy-{n}",
            "meta": _meta(last_updated, patient.centre),
            "clinicalStatus": {
                "coding": [
                    {"system": f"{TERMINOLOGY}/allergyintolerance-clinical", "code": "active"}
                ]
            },
            "verificationStatus": {
                "coding": [
                    {
                        "system": f"{TERMINOLOGY}/allergyintolerance-verification",
                        "code": "confirmed",
                    }
                ]
            },
            "type": "allergy",
            "category": [category],
            "criticality": "high" if code in ("peanut", "latex") else "low",
            "code": {"coding": [_coding(system, code, display)], "text": display},
            "patient": _ref("Patient", pid),
            "recordedDate": patient.diagnosis_date.isoformat(),
            "reaction": [{"manifestation": [{"text": REACTIONS[category]}]}],
        }
        for n, (system, code, display, category) in enumerate(patient.allergies, start=1)
    ]
