"""The FHIR read hot path keeps every guarantee: the stored resource comes back as it was, each
read by someone else than the patient leaves exactly one AuditEvent, consent is re-checked on
every read, and a signed-out, expired or forged token is refused."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app_backend import security
from app_backend.models import AuditRecord
from tests.app_backend.conftest import observation


def _audits(app, user_id: int, outcome: str) -> int:
    with app.state.session_factory() as session:
        return session.scalar(select(func.count()).select_from(AuditRecord).where(
            AuditRecord.user_id == user_id, AuditRecord.outcome == outcome))


@pytest.fixture
def followed(client, world):
    """A patient with an Observation, followed by a clinician's care team."""
    patient, clinician = world.patient(), world.staff("clinician")
    world.care_team([clinician], [patient])
    created = client.post("/fhir/Observation", headers=patient.headers,
                          json=observation(patient.patient_id, "8867-4", 61, "/min")).json()
    return patient, clinician, created


def test_read_answers_the_stored_resource_with_its_version_headers(client, followed):
    patient, clinician, created = followed
    for person in (patient, clinician):
        read = client.get(f"/fhir/Observation/{created['id']}", headers=person.headers)
        assert read.status_code == 200
        assert read.headers["content-type"].startswith("application/fhir+json")
        assert read.json() == created
        assert read.headers["ETag"] == 'W/"1"' and read.headers["Last-Modified"].endswith(" GMT")
    wrong_type = client.get(f"/fhir/Condition/{created['id']}", headers=patient.headers)
    assert wrong_type.status_code == 404


def test_every_clinician_read_is_audited_once_and_the_patients_own_never(client, app, followed):
    patient, clinician, created = followed
    for _ in range(3):
        assert client.get(f"/fhir/Observation/{created['id']}", headers=clinician.headers).status_code == 200
        assert client.get(f"/fhir/Observation/{created['id']}", headers=patient.headers).status_code == 200
    assert _audits(app, clinician.id, "0") == 3
    assert _audits(app, patient.id, "0") == 0


def test_consent_is_checked_on_every_read(client, app, world, followed):
    patient, clinician, created = followed
    url = f"/fhir/Observation/{created['id']}"
    assert client.get(url, headers=clinician.headers).status_code == 200
    # A deny for this clinician overrides the care team's permit.
    denied = client.post("/consents", headers=patient.headers, json={
        "recipient": f"User/{clinician.id}", "module": "health-record", "decision": "deny"})
    assert denied.status_code == 201, denied.text
    assert client.get(url, headers=clinician.headers).status_code == 404
    client.post(f"/consents/{denied.json()['id']}/withdraw", headers=patient.headers)
    assert client.get(url, headers=clinician.headers).status_code == 200
    # Withdrawing the care team's consent ends access; the attempt is audited as denied.
    team_consent = next(e["resource"] for e in client.get("/consents", headers=patient.headers).json()["entry"]
                        if e["resource"]["provision"]["type"] == "permit")
    client.post(f"/consents/{team_consent['id']}/withdraw", headers=patient.headers)
    assert client.get(url, headers=clinician.headers).status_code == 404
    assert _audits(app, clinician.id, "4") == 2
    # A clinician outside the care team never reaches the record, even when named in a permit.
    outsider = world.staff("clinician")
    client.post("/consents", headers=patient.headers, json={
        "recipient": f"User/{outsider.id}", "module": "*", "decision": "permit"})
    assert client.get(url, headers=outsider.headers).status_code == 404


def test_signed_out_expired_and_forged_tokens_are_refused(client, settings, world, followed):
    patient, _clinician, created = followed
    url = f"/fhir/Observation/{created['id']}"
    assert client.get(url, headers=patient.headers).status_code == 200  # the token is now cached
    forged = patient.token[:-4] + ("AAAA" if not patient.token.endswith("AAAA") else "BBBB")
    expired = security.create_token(subject=str(patient.id), kind=security.ACCESS,
                                    secret=settings.secret_key, lifetime=timedelta(seconds=-1),
                                    token_version=0, role="patient")
    for token in (forged, expired):
        assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.post("/auth/logout", headers=patient.headers).status_code == 204
    assert client.get(url, headers=patient.headers).status_code == 401
    search = client.get("/fhir/Observation", headers=patient.headers)
    assert search.status_code == 401


def test_every_caregiver_access_is_audited(client, app, world, tmp_path):
    """Delegated access is access by someone else than the patient: each read, search, summary
    and list a caregiver makes of the patient's data leaves an AuditEvent (purpose caregiving)."""
    from app_backend.services.telehealth.config import TelehealthConfig

    app.state.telehealth = TelehealthConfig(attachment_dir=tmp_path / "attachments",
                                            video_base_url="https://video.test/room")
    try:
        patient, caregiver = world.patient(), world.caregiver()
        world.delegate(patient, caregiver)
        created = client.post("/fhir/Observation", headers=patient.headers,
                              json=observation(patient.patient_id, "8867-4", 61, "/min")).json()
        assert client.post("/telehealth/threads", headers=patient.headers, json={
            "patient_id": patient.patient_id, "subject": "Fever", "body": "37.9 last night"}).status_code == 201
        assert client.post("/telehealth/appointments", headers=patient.headers, json={
            "patient_id": patient.patient_id, "reason": "Follow-up"}).status_code == 201
        reads = [f"/fhir/Observation/{created['id']}", f"/fhir/Observation?patient={patient.patient_id}",
                 "/fhir/Observation", f"/fhir/Patient/{patient.patient_id}/$summary",
                 "/telehealth/threads", "/telehealth/appointments"]
        for url in reads:
            for person in (caregiver, patient):
                answer = client.get(url, headers=person.headers)
                assert answer.status_code == 200, (url, answer.text)
                assert patient.patient_id in answer.text, url
        with app.state.session_factory() as session:
            purposes = session.scalars(select(AuditRecord.purpose).where(
                AuditRecord.user_id == caregiver.id, AuditRecord.outcome == "0")).all()
        assert purposes == ["caregiving"] * len(reads)
        assert _audits(app, patient.id, "0") == 0
    finally:
        app.state.telehealth = None


def test_search_pages_carry_the_total_of_all_matches(client, followed):
    patient, clinician, _created = followed
    client.post("/fhir/Observation", headers=patient.headers,
                json=observation(patient.patient_id, "8867-4", 62, "/min"))
    url = f"/fhir/Observation?patient={patient.patient_id}&code=8867-4&_count=1"
    for person in (patient, clinician):
        first = client.get(url, headers=person.headers).json()
        assert first["total"] == 2 and len(first["entry"]) == 1
        assert first["entry"][0]["resource"]["valueQuantity"]["value"] == 62  # newest first
        past = client.get(f"{url}&_offset=5", headers=person.headers).json()
        assert past["total"] == 2 and past.get("entry", []) == []
        none = client.get(f"/fhir/Observation?patient={patient.patient_id}&code=0000-0",
                          headers=person.headers).json()
        assert none["total"] == 0
