"""Every route, as every role, aimed at another patient's data: nothing leaks.

The victim has a record (an Observation, a medication, a PROM, an alert, a consent, a care team).
Each route of the app is called by people with no right to it, with the victim's identifiers in
its path, query and body. No answer may contain anything of the victim's, and a route aimed at
the victim must refuse (401, 403, 404 or 422), never succeed. Routes added by other modules are
covered automatically (with an empty body unless a template below fits them).
"""

import json
import re
import uuid

import pytest
from fastapi.routing import APIRoute

from tests.app_backend.conftest import observation, phq9

ROLES = ["anonymous", "patient", "caregiver", "clinician", "moderator", "admin", "service", "analyst"]
# What a role is there to see: admins manage accounts, teams and the audit trail; the service
# account exports everything for the pipeline.
SANCTIONED = {"admin": re.compile(r"^/admin/"), "service": re.compile(r"^/fhir/\$export")}
REFUSALS = {401, 403, 404, 405, 413, 422}


@pytest.fixture(scope="module")
def scene(client, app, engine):
    if engine.dialect.name != "sqlite":
        # Access is decided by the same queries on both databases, and every route's own tests
        # run on PostgreSQL too; the full role-by-route sweep runs once, to keep the suite fast.
        pytest.skip("the role-by-route sweep runs on SQLite")
    from tests.app_backend.conftest import World

    world = World(client, app)
    victim = world.patient(name=f"Victoria Victim{uuid.uuid4().hex[:6]}")
    own_clinician = world.staff("clinician")
    team_id = world.care_team([own_clinician], [victim])
    obs = client.post("/fhir/Observation", headers=victim.headers,
                      json=observation(victim.patient_id, "8310-5", 39.0, "Cel")).json()
    med = client.post(f"/health-record/{victim.patient_id}/medications", headers=victim.headers,
                      json={"name": "Victimab 10 mg"}).json()["resource"]
    client.post(f"/health-record/{victim.patient_id}/prom-responses", headers=victim.headers,
                json=phq9(victim.patient_id, [0, 0, 0, 0, 0, 0, 0, 0, 2]))
    task = client.post("/clinician/alerts/victim-alert/actions", headers=own_clinician.headers,
                       json={"patient_id": victim.patient_id, "action": "acknowledge"}).json()
    consent_id = client.get("/consents", headers=victim.headers).json()["entry"][0]["resource"]["id"]
    alert_id = client.get("/clinician/alerts", headers=own_clinician.headers).json()[0]["alert_id"]

    other_patient = world.patient()
    caregiver = world.caregiver()
    world.delegate(other_patient, caregiver)  # a caregiver, but for someone else
    other_clinician = world.staff("clinician")
    world.care_team([other_clinician], [other_patient])
    people = {
        "anonymous": None, "patient": other_patient, "caregiver": caregiver,
        "clinician": other_clinician, "moderator": world.staff("moderator"),
        "admin": world.staff("admin"), "service": world.staff("service"), "analyst": world.staff("analyst"),
    }
    markers = [victim.patient_id, obs["id"], med["id"], task["id"], alert_id, consent_id,
               "Victoria Victim", victim.email]
    ids = {
        "patient_id": victim.patient_id, "resource_id": obs["id"], "medication_id": med["id"],
        "alert_id": "victim-alert", "consent_id": consent_id, "team_id": str(team_id),
        "user_id": str(victim.id), "resource_type": "Observation", "questionnaire_id": "phq-9",
        "job_id": str(uuid.uuid4()), "file_name": "Observation.ndjson",
    }
    return {"victim": victim, "people": people, "markers": markers, "ids": ids}


def _body(path: str, victim_patient: str) -> dict:
    """A valid body for the route, aimed at the victim."""
    if path == "/fhir/{resource_type}":
        return observation(victim_patient, "8310-5", 40.0, "Cel")
    if path.endswith("/vitals"):
        return {"kind": "body-temperature", "value": 40.0}
    if path.endswith("/symptoms"):
        return {"instrument": "esas-r", "answers": {"esas-pain": 9}}
    if path.endswith("/prom-responses"):
        return phq9(victim_patient, [0] * 9)
    if path.endswith("/events"):
        return {"kind": "condition", "text": "injected"}
    if path.endswith("/medications"):
        return {"name": "injected"}
    if path.endswith("/intakes"):
        return {"taken": True}
    if path.endswith("/import"):
        return {"resourceType": "Bundle", "type": "collection", "entry": [
            {"resource": observation(victim_patient, "8867-4", 60, "/min")}]}
    if path.endswith("/actions"):
        return {"patient_id": victim_patient, "action": "resolve"}
    if path == "/consents":
        return {"recipient": "CareTeam/1"}
    if path.startswith("/admin/care-teams") and path.endswith("/patients"):
        return {"patient_id": victim_patient}
    return {}


def _routes(app):
    for route in app.routes:
        if isinstance(route, APIRoute):
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                yield method, route.path


def test_no_route_leaks_another_patients_data(client, app, scene):
    problems = []
    victim = scene["victim"]
    for role in ROLES:
        person = scene["people"][role]
        headers = person.headers if person else {}
        for method, path in _routes(app):
            if role in SANCTIONED and SANCTIONED[role].match(path):
                continue
            if path.startswith("/auth/") and method == "POST" and path != "/auth/logout":
                continue  # sign-in and registration concern the caller alone
            if path == "/auth/logout":
                continue  # would end the caller's session for the rest of the matrix
            # Other modules' path parameters get a plausible id of their own kind.
            url = re.sub(r"\{(\w+)\}", lambda m: scene["ids"].get(m.group(1), "1"), path)
            params = {"patient": victim.patient_id, "patient_id": victim.patient_id}
            body = _body(path, victim.patient_id) if method in {"POST", "PUT", "PATCH"} else None
            response = client.request(method, url, headers=headers, params=params,
                                      json=body if body is not None else None)
            text = response.text
            # Echoes of what the caller sent (a self link, "Patient/x was not found") reveal nothing.
            sent = url + json.dumps(params) + json.dumps(body)
            leaked = [m for m in scene["markers"] if m in text and m not in sent]
            aimed = "{" in path or method in {"POST", "PUT", "PATCH", "DELETE"}
            if leaked:
                problems.append(f"{role} {method} {path}: {response.status_code} leaked {leaked}")
            elif aimed and response.status_code not in REFUSALS and "{patient_id}" in path:
                problems.append(f"{role} {method} {path}: answered {response.status_code}")
            elif response.status_code >= 500:
                problems.append(f"{role} {method} {path}: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_the_victims_record_is_unchanged(client, scene):
    victim = scene["victim"]
    conditions = client.get("/fhir/Condition", headers=victim.headers).json()
    assert conditions["total"] == 0
    consents = client.get("/consents", headers=victim.headers).json()["entry"]
    assert all(c["resource"]["status"] == "active" for c in consents)
    tasks = client.get("/fhir/Task", headers=victim.headers).json()
    assert [e["resource"]["status"] for e in tasks["entry"]] == ["accepted"]
