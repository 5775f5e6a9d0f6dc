"""Consent: care-team sharing withdrawn by the patient, caregiver delegation (read-only)."""

from tests.app_backend.conftest import observation


def test_withdrawing_care_team_consent_stops_clinician_access(client, world):
    patient, clinician = world.patient(), world.staff("clinician")
    team_id = world.care_team([clinician], [patient])
    path = f"/fhir/Patient/{patient.patient_id}"
    assert client.get(path, headers=clinician.headers).status_code == 200
    consents = client.get("/consents", headers=patient.headers).json()["entry"]
    team_consent = next(e["resource"] for e in consents
                        if e["resource"]["provision"]["actor"][0]["reference"].get("reference") == f"CareTeam/{team_id}")
    assert team_consent["status"] == "active" and team_consent["provision"]["type"] == "permit"
    withdrawn = client.post(f"/consents/{team_consent['id']}/withdraw", headers=patient.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "inactive"
    assert client.get(path, headers=clinician.headers).status_code == 404
    assert client.get("/clinician/patients", headers=clinician.headers).json() == []


def test_a_module_deny_overrides_the_team_permit(client, world):
    patient, clinician = world.patient(), world.staff("clinician")
    team_id = world.care_team([clinician], [patient])
    deny = client.post("/consents", headers=patient.headers,
                       json={"module": "health-record", "recipient": f"CareTeam/{team_id}", "decision": "deny"})
    assert deny.status_code == 201, deny.text
    assert client.get(f"/fhir/Patient/{patient.patient_id}", headers=clinician.headers).status_code == 404


def test_caregiver_reads_after_delegation_but_cannot_write(client, world):
    patient, caregiver = world.patient(), world.caregiver()
    created = client.post("/fhir/Observation", headers=patient.headers,
                          json=observation(patient.patient_id, "8867-4", 70, "/min")).json()
    path = f"/fhir/Observation/{created['id']}"
    assert client.get(path, headers=caregiver.headers).status_code == 404
    consent = world.delegate(patient, caregiver)
    assert client.get(path, headers=caregiver.headers).status_code == 200
    assert client.get("/fhir/Observation", headers=caregiver.headers).json()["total"] == 1
    write = client.post("/fhir/Observation", headers=caregiver.headers,
                        json=observation(patient.patient_id, "8867-4", 71, "/min"))
    assert write.status_code == 403
    quick = client.post(f"/health-record/{patient.patient_id}/vitals", headers=caregiver.headers,
                        json={"kind": "heart-rate", "value": 80})
    assert quick.status_code == 403
    client.post(f"/consents/{consent['id']}/withdraw", headers=patient.headers)
    assert client.get(path, headers=caregiver.headers).status_code == 404


def test_consent_requests_are_validated(client, world):
    patient = world.patient()
    assert client.post("/consents", headers=patient.headers,
                       json={"recipient": "CareTeam/999999"}).status_code == 422
    assert client.post("/consents", headers=patient.headers,
                       json={"recipient": "Organization/1"}).status_code == 422
    assert client.post("/consents/delegations", headers=patient.headers,
                       json={"caregiver_email": "nobody-here@example.org"}).status_code == 422
    other = world.patient()
    mine = client.get("/consents", headers=other.headers).json()
    assert mine["entry"] == []
    assert client.post("/consents/some-id/withdraw", headers=patient.headers).status_code == 404


def test_research_consent_is_recorded_superseded_and_withdrawn(client, world):
    patient, service = world.patient(), world.staff("service")
    first = client.post("/consents/research", headers=patient.headers, json={"decision": "permit"})
    assert first.status_code == 201, first.text
    consent = first.json()
    assert consent["scope"]["coding"][0]["code"] == "research"
    assert consent["provision"] == {"type": "permit", "purpose": [
        {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HRESCH",
         "display": "healthcare research"}]}
    from fhir.resources.R4B.consent import Consent

    Consent.model_validate(consent)  # valid FHIR R4B, as $export sends it
    withdrawn = client.post(f"/consents/{consent['id']}/withdraw", headers=patient.headers).json()
    assert withdrawn["status"] == "inactive"
    again = client.post("/consents/research", headers=patient.headers, json={}).json()
    objection = client.post("/consents/research", headers=patient.headers, json={"decision": "deny"}).json()
    mine = {e["resource"]["id"]: e["resource"] for e in client.get("/consents", headers=patient.headers).json()["entry"]}
    # one active research consent at a time: the objection superseded the re-consent
    assert [c["provision"]["type"] for c in mine.values() if c["status"] == "active"] == ["deny"]
    assert mine[again["id"]]["status"] == "inactive" and mine[objection["id"]]["status"] == "active"
    # a research consent grants no one access to the record
    assert client.get(f"/fhir/Patient/{patient.patient_id}", headers=service.headers).status_code in (403, 404)
    assert client.post("/consents/research", headers=patient.headers, json={"decision": "maybe"}).status_code == 422
    assert client.post("/consents/research", headers=service.headers, json={}).status_code == 403
