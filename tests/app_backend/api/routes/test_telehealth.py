"""Telehealth messaging: threads, receipts, isolation, attachments, inbox, hand-over, escalation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fhir.resources.R4B.communication import Communication
from sqlalchemy import update

from app_backend.db import utcnow
from app_backend.models.telehealth import Thread
from app_backend.services.telehealth.config import TelehealthConfig

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"0" * 200


@pytest.fixture
def telehealth(app, tmp_path):
    app.state.telehealth = TelehealthConfig(attachment_dir=tmp_path / "attachments", attachment_max_bytes=4096,
                                            video_base_url="https://video.test/room")
    yield app.state.telehealth
    app.state.telehealth = None


@pytest.fixture
def care(world):
    patient, other = world.patient(), world.patient()
    nurse, doctor, outsider = world.staff("clinician"), world.staff("clinician"), world.staff("clinician")
    world.care_team([nurse, doctor], [patient])
    world.care_team([outsider], [other])
    return patient, other, nurse, doctor, outsider


def _thread(client, who, patient, body="My temperature was 37.9 last night"):
    r = client.post("/telehealth/threads", headers=who.headers,
                    json={"patient_id": patient.patient_id, "subject": "Fever question", "body": body})
    assert r.status_code == 201, r.text
    return r.json()["thread"]["id"]


def test_conversation_with_the_care_team_and_read_receipts(client, care, telehealth):
    patient, _, nurse, _, _ = care
    thread_id = _thread(client, patient, patient)
    assert client.get("/telehealth/inbox", headers=nurse.headers).json()[0]["thread_id"] == thread_id

    seen = client.get(f"/telehealth/threads/{thread_id}/messages", headers=nurse.headers).json()
    first = seen["messages"][0]
    assert first["sender_role"] == "patient"
    assert {r["user_id"] for r in first["read_by"]} == {patient.id, nurse.id}

    reply = client.post(f"/telehealth/threads/{thread_id}/messages", headers=nurse.headers,
                        json={"body": "Please take it again in an hour and call if >= 38.0"})
    assert reply.status_code == 201
    assert client.get("/telehealth/inbox", headers=nurse.headers).json() == []
    threads = client.get("/telehealth/threads", headers=patient.headers).json()
    assert threads[0]["unread"] == 1 and threads[0]["assigned_to"] == nurse.id
    after = first["sent_at"]
    newer = client.get(f"/telehealth/threads/{thread_id}/messages", params={"after": after},
                       headers=patient.headers).json()["messages"]
    assert [m["sender_role"] for m in newer] == ["clinician"]


def test_a_thread_opens_on_its_newest_messages_and_scrolls_back(client, care, telehealth):
    patient, _, nurse, _, _ = care
    thread_id = _thread(client, patient, patient, body="message 0")
    for n in range(1, 6):
        r = client.post(f"/telehealth/threads/{thread_id}/messages", headers=patient.headers,
                        json={"body": f"message {n}"})
        assert r.status_code == 201, r.text
    url = f"/telehealth/threads/{thread_id}/messages"

    def bodies(**params):
        answer = client.get(url, params=params, headers=nurse.headers)
        assert answer.status_code == 200, answer.text
        return answer.json()["messages"]

    newest = bodies(limit=2)
    assert [m["body"] for m in newest] == ["message 4", "message 5"]  # chronological, newest page
    older = bodies(limit=2, before=newest[0]["sent_at"])
    assert [m["body"] for m in older] == ["message 2", "message 3"]
    oldest = bodies(limit=10, before=older[0]["sent_at"])
    assert [m["body"] for m in oldest] == ["message 0", "message 1"]
    assert [m["body"] for m in bodies(limit=2, after=oldest[0]["sent_at"])] == ["message 1", "message 2"]


def test_messages_reach_the_warehouse_as_communications_without_their_text(client, care, telehealth, app):
    patient, *_ = care
    thread_id = _thread(client, patient, patient, body="private words")
    from app_backend.models import FhirResource

    with app.state.session_factory() as session:
        rows = session.query(FhirResource).filter_by(resource_type="Communication", patient_id=patient.patient_id).all()
    assert len(rows) == 1
    Communication.model_validate(rows[0].resource)
    assert "private words" not in str(rows[0].resource) and thread_id in str(rows[0].resource)


def test_nobody_outside_the_care_team_reaches_a_thread(client, care, telehealth, world):
    patient, other, _, _, outsider = care
    thread_id = _thread(client, patient, patient)
    for person in (other, outsider):
        assert client.get(f"/telehealth/threads/{thread_id}/messages", headers=person.headers).status_code == 404
        assert client.post(f"/telehealth/threads/{thread_id}/messages", headers=person.headers,
                           json={"body": "hello"}).status_code == 404
        assert client.get("/telehealth/threads", params={"patient_id": patient.patient_id},
                          headers=person.headers).status_code == 404
        assert thread_id not in str(client.get("/telehealth/threads", headers=person.headers).json())
    r = client.post("/telehealth/threads", headers=other.headers,
                    json={"patient_id": patient.patient_id, "subject": "x", "body": "y"})
    assert r.status_code == 404
    for role in ("admin", "moderator", "service"):
        assert client.get(f"/telehealth/threads/{thread_id}/messages", headers=world.staff(role).headers).status_code == 403


def test_a_delegated_caregiver_takes_part(client, care, telehealth, world):
    patient, *_ = care
    carer = world.caregiver()
    thread_id = _thread(client, patient, patient)
    assert client.get(f"/telehealth/threads/{thread_id}/messages", headers=carer.headers).status_code == 404
    world.delegate(patient, carer, module="telehealth")
    assert client.post(f"/telehealth/threads/{thread_id}/messages", headers=carer.headers,
                       json={"body": "I am her husband; she is resting"}).status_code == 201


def test_attachments_are_checked_by_content_size_and_name(client, care, telehealth):
    patient, other, nurse, *_ = care
    thread_id = _thread(client, patient, patient)
    url = f"/telehealth/threads/{thread_id}/attachments"
    ok = client.post(url, headers=patient.headers, files={"file": ("rash photo.png", PNG, "image/png")})
    assert ok.status_code == 201, ok.text
    attachment = ok.json()
    assert (telehealth.attachment_dir / attachment["id"]).read_bytes() == PNG
    assert [p.name for p in telehealth.attachment_dir.iterdir()] == [attachment["id"]]

    assert client.post(url, headers=patient.headers, files={"file": ("big.pdf", PDF * 40, "application/pdf")}).status_code == 413
    assert client.post(url, headers=patient.headers, files={"file": ("run.png", b"MZ\x90\x00" + PNG, "image/png")}).status_code == 415
    assert client.post(url, headers=patient.headers, files={"file": ("report.pdf", PNG, "application/pdf")}).status_code == 415
    for hostile in ("../../etc/passwd.png", "..\\..\\boot.png", "/abs/path.png", "a\x00b.png", ".hidden.png", "x" * 200 + ".png"):
        r = client.post(url, headers=patient.headers, files={"file": (hostile, PNG, "image/png")})
        assert r.status_code == 422, hostile
    assert len(list(telehealth.attachment_dir.iterdir())) == 1, "nothing refused was kept"

    message = client.post(f"/telehealth/threads/{thread_id}/messages", headers=patient.headers,
                          json={"body": "see the photo", "attachment_id": attachment["id"]})
    assert message.status_code == 201
    download = client.get(f"/telehealth/attachments/{attachment['id']}", headers=nurse.headers)
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-type"] == "image/png" and download.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/telehealth/attachments/{attachment['id']}", headers=other.headers).status_code == 404


def test_hand_over_stays_within_the_care_team(client, care, telehealth):
    patient, _, nurse, doctor, outsider = care
    thread_id = _thread(client, patient, patient)
    url = f"/telehealth/threads/{thread_id}/handover"
    assert client.post(url, headers=nurse.headers, json={"assignee_id": outsider.id}).status_code == 422
    r = client.post(url, headers=nurse.headers, json={"assignee_id": doctor.id})
    assert r.status_code == 200 and r.json()["assigned_to"] == doctor.id


def test_unanswered_messages_escalate_once_after_the_rule_hours(client, care, telehealth, world, app):
    patient, _, nurse, *_ = care
    fresh = _thread(client, patient, patient)
    stale = _thread(client, patient, patient)
    with app.state.session_factory() as session:
        session.execute(update(Thread).where(Thread.id == stale).values(last_message_at=utcnow() - timedelta(hours=25)))
        session.commit()
    service = world.staff("service")
    escalated = client.post("/telehealth/escalations/run", headers=service.headers).json()["escalated"]
    assert [e["thread_id"] for e in escalated if e["patient_id"] == patient.patient_id] == [stale]
    assert fresh not in str(escalated)
    again = client.post("/telehealth/escalations/run", headers=service.headers).json()["escalated"]
    assert stale not in str(again)
    alerts = client.get("/clinician/alerts", params={"patient_id": patient.patient_id}, headers=nurse.headers).json()
    assert "ESCALATE" in str(alerts)
    inbox = {t["thread_id"]: t for t in client.get("/telehealth/inbox", headers=nurse.headers).json()}
    assert inbox[stale]["overdue"] and inbox[stale]["escalated"] and not inbox[fresh]["overdue"]
    assert client.post("/telehealth/escalations/run", headers=patient.headers).status_code == 403
