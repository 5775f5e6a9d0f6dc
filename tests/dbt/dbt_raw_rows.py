"""Small, realistic raw rows for dbt tests: FHIR resources and device readings as the loaders land them."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

ANSWER_STATUS = "http://survivorship-platform.org/fhir/CodeSystem/answer-status"
QUESTIONNAIRE = "http://survivorship-platform.org/fhir/Questionnaire/"
LOAD_TIME = datetime(2026, 3, 1, tzinfo=UTC)


def patient(pid: str, *, centre: str = "centre-a", birth: str = "1961-04-02", gender: str = "female") -> dict:
    return {
        "resourceType": "Patient",
        "id": pid,
        "meta": {"versionId": "1", "lastUpdated": "2026-01-01T00:00:00+00:00"},
        "identifier": [{"system": "urn:centre:mrn", "value": f"MRN-{pid}"}],
        "name": [{"family": "Synthetic", "given": [f"Person{pid}"]}],
        "gender": gender,
        "birthDate": birth,
        "address": [{"city": "Nowhere", "country": "NL"}],
        "communication": [{"language": {"coding": [{"code": "nl"}]}}],
        "managingOrganization": {"reference": f"Organization/{centre}"},
    }


def condition(cid: str, pid: str, icd10: str = "C50.9", onset: str = "2024-06-01", stage: str = "II") -> dict:
    return {
        "resourceType": "Condition",
        "id": cid,
        "subject": {"reference": f"Patient/{pid}"},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": icd10}]},
        "onsetDateTime": onset,
        "stage": [{"summary": {"text": stage}}],
    }


def response(rid: str, pid: str, instrument: str, authored: str, answers: dict, *, url: str | None = None) -> dict:
    """answers: linkId -> int, or a string answer-status code (not-applicable, prefer-not-to-answer)."""
    items = []
    for link_id, value in answers.items():
        if isinstance(value, str):
            answer = {"valueCoding": {"system": ANSWER_STATUS, "code": value}}
        elif isinstance(value, tuple):
            answer = {"valueCoding": {"system": value[0], "code": value[1]}}
        else:
            answer = {"valueInteger": value}
        items.append({"linkId": link_id, "answer": [answer]})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": rid,
        "status": "completed",
        "questionnaire": url or QUESTIONNAIRE + instrument,
        "subject": {"reference": f"Patient/{pid}"},
        "authored": authored,
        "item": items,
    }


def observation(oid: str, pid: str, loinc: str, when: str, value: float, unit: str) -> dict:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "category": [{"coding": [{"code": "vital-signs"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "code": unit},
    }


def blood_pressure(oid: str, pid: str, when: str, systolic: float, diastolic: float) -> dict:
    def component(code: str, value: float) -> dict:
        return {
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "valueQuantity": {"value": value, "unit": "mm[Hg]", "code": "mm[Hg]"},
        }

    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "category": [{"coding": [{"code": "vital-signs"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        "subject": {"reference": f"Patient/{pid}"},
        "effectiveDateTime": when,
        "component": [component("8480-6", systolic), component("8462-4", diastolic)],
    }


def alert_review_task(tid: str, alert_id: str, status: str, last_modified: str) -> dict:
    return {
        "resourceType": "Task",
        "id": tid,
        "status": status,
        "intent": "order",
        "code": {"coding": [{"system": "http://survivorship-platform.org/fhir/CodeSystem/task-type", "code": "alert-review"}]},
        "focus": {"identifier": {"system": "http://survivorship-platform.org/fhir/alert-id", "value": alert_id}},
        "lastModified": last_modified,
        "owner": {"reference": "Practitioner/nurse-1"},
    }


def _hash(obj, algorithm=hashlib.sha256) -> str:
    return algorithm(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def insert_resources(con, resources: list[dict], *, loaded_at: datetime = LOAD_TIME, load_id: str = "load-1") -> None:
    rows = []
    for res in resources:
        pid = res["id"] if res["resourceType"] == "Patient" else res.get("subject", {}).get("reference", "").removeprefix("Patient/") or None
        meta = res.get("meta", {})
        rows.append((
            _hash(res, hashlib.md5), res["resourceType"], res["id"], meta.get("versionId"), meta.get("lastUpdated"), pid,
            "fhir-ndjson", "test.ndjson", load_id, loaded_at, json.dumps(res),
        ))
    con.executemany("insert into raw.fhir_resources values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def insert_device_readings(con, readings: list[tuple], *, loaded_at: datetime = LOAD_TIME, load_id: str = "load-2") -> None:
    """readings: (patient_id, loinc_code, effective ISO datetime, value, unit)."""
    rows = []
    for pid, loinc, when, value, unit in readings:
        original = {"patient": pid, "code": loinc, "when": when, "value": value, "unit": unit}
        rows.append((
            _hash(original), pid, "device-csv", "test-watch", loinc, when, None, value, unit,
            str(value), unit, "test.csv", load_id, loaded_at, json.dumps(original),
        ))
    con.executemany(
        "insert into raw.device_observations values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
    )
