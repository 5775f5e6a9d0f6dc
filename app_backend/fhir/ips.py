"""The International Patient Summary (IPS) document Bundle: `Patient/{id}/$summary`.

First entry a Composition (LOINC 60591-5) with the required sections (medications, allergies,
problems; an empty one carries an emptyReason) and the optional ones we hold. Patient-reported
data is marked as such: the Patient is its author, recorded in a Provenance entry.
"""

from __future__ import annotations

import html
import uuid

from app_backend.db import utcnow

LOINC = "http://loinc.org"
EMPTY_REASON = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
MAX_PER_SECTION = 100
DEVICE_ID = "survivorship-app-backend"

# (code, title, required, which resources belong)
SECTIONS = [
    ("10160-0", "Medication Summary", True, lambda r: r["resourceType"] == "MedicationStatement"),
    ("48765-2", "Allergies and Intolerances", True, lambda r: r["resourceType"] == "AllergyIntolerance"),
    ("11450-4", "Problem List", True, lambda r: r["resourceType"] == "Condition"),
    ("8716-3", "Vital Signs", False, lambda r: _observation_in(r, "vital-signs")),
    ("30954-2", "Results", False,
     lambda r: _observation_in(r, "laboratory") or r["resourceType"] == "DiagnosticReport"),
    ("47420-5", "Functional Status", False, lambda r: r["resourceType"] == "QuestionnaireResponse"),
    ("18776-5", "Plan of Care", False, lambda r: r["resourceType"] == "CarePlan"),
    ("47519-4", "History of Procedures", False, lambda r: r["resourceType"] == "Procedure"),
    ("11369-6", "Immunizations", False, lambda r: r["resourceType"] == "Immunization"),
]


def _observation_in(resource: dict, category: str) -> bool:
    if resource["resourceType"] != "Observation":
        return False
    return any(c.get("code") == category for cat in resource.get("category", [])
               for c in cat.get("coding", []))


def _label(resource: dict) -> str:
    concept = (resource.get("code") or resource.get("medicationCodeableConcept")
               or resource.get("vaccineCode") or {})
    text = concept.get("text") or next(
        (c.get("display") or c.get("code") for c in concept.get("coding", [])), None)
    if resource["resourceType"] == "QuestionnaireResponse":
        text = resource.get("questionnaire", "").rsplit("/", 1)[-1]
    value = resource.get("valueQuantity")
    if value:
        text = f"{text}: {value.get('value')} {value.get('unit') or value.get('code') or ''}"
    return f"{resource['resourceType']}: {text or resource['id']}"


def _narrative(lines: list[str]) -> dict:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return {"status": "generated",
            "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><ul>{items}</ul></div>'}


def _is_patient_reported(resource: dict) -> bool:
    return any(t.get("code") == "patient" for t in resource.get("meta", {}).get("tag", []))


def summary_bundle(base: str, patient: dict, resources: list[dict]) -> dict:
    """The IPS document for this patient from the resources of their record (newest first)."""
    now = utcnow().isoformat()
    patient_ref = {"reference": f"Patient/{patient['id']}"}
    device = {"resourceType": "Device", "id": DEVICE_ID,
              "deviceName": [{"name": "Survivorship app backend", "type": "manufacturer-name"}]}
    sections, included = [], []
    for code, title, required, belongs in SECTIONS:
        members = [r for r in resources if belongs(r)][:MAX_PER_SECTION]
        section = {"title": title, "code": {"coding": [{"system": LOINC, "code": code, "display": title}]}}
        if members:
            section["text"] = _narrative([_label(r) for r in members])
            section["entry"] = [{"reference": f"{r['resourceType']}/{r['id']}"} for r in members]
            included.extend(m for m in members if m not in included)
        elif required:
            section["text"] = _narrative([f"No information about {title.lower()} was recorded."])
            section["emptyReason"] = {"coding": [{"system": EMPTY_REASON, "code": "unavailable",
                                                  "display": "Unavailable"}]}
        else:
            continue
        sections.append(section)
    composition = {
        "resourceType": "Composition",
        "id": str(uuid.uuid4()),
        "status": "final",
        "type": {"coding": [{"system": LOINC, "code": "60591-5", "display": "Patient summary Document"}]},
        "subject": patient_ref,
        "date": now,
        "author": [{"reference": f"Device/{DEVICE_ID}"}],
        "title": "International Patient Summary",
        "confidentiality": "N",
        "section": sections,
    }
    extra = []
    reported = [r for r in included if _is_patient_reported(r)]
    if reported:
        extra.append({
            "resourceType": "Provenance",
            "id": str(uuid.uuid4()),
            "target": [{"reference": f"{r['resourceType']}/{r['id']}"} for r in reported],
            "recorded": now,
            "agent": [{
                "type": {"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                    "code": "author",
                }]},
                "who": patient_ref,
            }],
            "reason": [{"text": "patient-provided data (EHDS)"}],
        })
    entries = [composition, patient, device, *included, *extra]
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{uuid.uuid4()}"},
        "type": "document",
        "timestamp": now,
        "entry": [{"fullUrl": f"{base}/fhir/{r['resourceType']}/{r['id']}", "resource": r}
                  for r in entries],
    }
