"""Research-use consents in the synthetic cohort: a few patients consented at enrolment and later
withdrew, so the demo shows them kept in clinician views and left out of analyst views and OMOP.
The resources have the shape the backend exports (app_backend/services/consent.py)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from ingestion.synth.cohort import Patient
from ingestion.synth.rand import stream

WITHDRAWAL_SHARE = 0.03  # of patients; about 3 in 100 withdraw research consent


def research_consents(patient: Patient, seed: int, window_start, last_updated: str) -> list[dict]:
    """The patient's research Consent when they withdrew it (status inactive), else nothing: a
    patient with no research Consent on file is included in research use."""
    if stream(seed, patient.index, "research-consent").random() >= WITHDRAWAL_SHARE:
        return []
    consented = datetime.combine(max(patient.diagnosis_date, window_start), time(9), UTC)
    return [{
        "resourceType": "Consent",
        "id": f"{patient.patient_id}-research",
        "meta": {"lastUpdated": last_updated},
        "status": "inactive",
        "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "research"}]},
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentcategorycodes", "code": "research"}]},
            {"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}]},
        ],
        "patient": {"reference": f"Patient/{patient.patient_id}"},
        "dateTime": consented.isoformat(),
        "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}]},
        "provision": {"type": "permit", "purpose": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HRESCH",
            "display": "healthcare research",
        }]},
    }]
