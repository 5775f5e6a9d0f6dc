"""Teleconsultations: request → offered slots → booked (with a join link) → reschedule, cancel,
no-show; reminders before the start."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fhir.resources.R4B.appointment import Appointment

from app_backend.db import utcnow
from app_backend.services.telehealth.config import TelehealthConfig


@pytest.fixture
def telehealth(app, tmp_path):
    app.state.telehealth = TelehealthConfig(attachment_dir=tmp_path, video_base_url="https://video.test/room")
    yield
    app.state.telehealth = None


@pytest.fixture
def care(world):
    patient, other = world.patient(), world.patient()
    clinician, outsider = world.staff("clinician"), world.staff("clinician")
    world.care_team([clinician], [patient])
    world.care_team([outsider], [other])
    return patient, other, clinician, outsider


def _slots(*hours):
    now = utcnow()
    return [{"start": (now + timedelta(hours=h)).isoformat(), "end": (now + timedelta(hours=h, minutes=30)).isoformat()}
            for h in hours]


def _book(client, patient, clinician, start_hours=(30, 50), choose=0):
    r = client.post("/telehealth/appointments", headers=patient.headers,
                    json={"patient_id": patient.patient_id, "reason": "Follow-up on fatigue"})
    assert r.status_code == 201 and r.json()["status"] == "proposed", r.text
    appointment_id = r.json()["id"]
    r = client.post(f"/telehealth/appointments/{appointment_id}/offer", headers=clinician.headers,
                    json={"slots": _slots(*start_hours)})
    assert r.status_code == 200 and r.json()["status"] == "pending", r.text
    r = client.post(f"/telehealth/appointments/{appointment_id}/confirm", headers=patient.headers,
                    json={"slot_index": choose})
    assert r.status_code == 200, r.text
    return appointment_id, r.json()


def _join_url(resource):
    return next(e["valueUrl"] for e in resource["extension"] if e["url"].endswith("join-url"))


def test_life_cycle_and_unguessable_rooms(client, care, telehealth):
    patient, _, clinician, _ = care
    first_id, booked = _book(client, patient, clinician)
    Appointment.model_validate(booked)
    assert booked["status"] == "booked"
    url = _join_url(booked)
    assert url.startswith("https://video.test/room/") and len(url.rsplit("/", 1)[1]) >= 32
    _, other_booking = _book(client, patient, clinician)
    assert _join_url(other_booking) != url

    r = client.post(f"/telehealth/appointments/{first_id}/reschedule", headers=patient.headers)
    assert r.json()["status"] == "proposed" and "start" not in r.json() and "extension" not in r.json()
    client.post(f"/telehealth/appointments/{first_id}/offer", headers=clinician.headers, json={"slots": _slots(72)})
    rebooked = client.post(f"/telehealth/appointments/{first_id}/confirm", headers=patient.headers,
                           json={"slot_index": 0}).json()
    assert _join_url(rebooked) == url, "the room stays with the appointment"

    cancelled = client.post(f"/telehealth/appointments/{first_id}/cancel", headers=patient.headers,
                            json={"reason": "feeling better"})
    assert cancelled.json()["status"] == "cancelled" and "extension" not in cancelled.json()
    assert client.post(f"/telehealth/appointments/{first_id}/confirm", headers=patient.headers,
                       json={"slot_index": 0}).status_code == 409


def test_roles_and_bad_requests(client, care, telehealth):
    patient, other, clinician, outsider = care
    r = client.post("/telehealth/appointments", headers=patient.headers,
                    json={"patient_id": patient.patient_id, "reason": "question"})
    appointment_id = r.json()["id"]
    assert client.post(f"/telehealth/appointments/{appointment_id}/offer", headers=patient.headers,
                       json={"slots": _slots(30)}).status_code == 403
    past = [{"start": (utcnow() - timedelta(hours=1)).isoformat(), "end": utcnow().isoformat()}]
    assert client.post(f"/telehealth/appointments/{appointment_id}/offer", headers=clinician.headers,
                       json={"slots": past}).status_code == 422
    naive = [{"start": "2030-01-01T10:00:00", "end": "2030-01-01T10:30:00"}]
    assert client.post(f"/telehealth/appointments/{appointment_id}/offer", headers=clinician.headers,
                       json={"slots": naive}).status_code == 422
    client.post(f"/telehealth/appointments/{appointment_id}/offer", headers=clinician.headers, json={"slots": _slots(30)})
    assert client.post(f"/telehealth/appointments/{appointment_id}/confirm", headers=patient.headers,
                       json={"slot_index": 5}).status_code == 422
    for person in (other, outsider):
        assert client.get(f"/telehealth/appointments/{appointment_id}", headers=person.headers).status_code == 404
        assert appointment_id not in str(client.get("/telehealth/appointments", headers=person.headers).json())


def test_no_show_only_after_the_start_and_reminders_once(client, care, telehealth, world):
    patient, _, clinician, _ = care
    soon_id, _ = _book(client, patient, clinician, start_hours=(2,))
    later_id, _ = _book(client, patient, clinician, start_hours=(100,))
    close = f"/telehealth/appointments/{soon_id}/close"
    assert client.post(close, params={"outcome": "no-show"}, headers=clinician.headers).status_code == 409

    service = world.staff("service")
    reminded = {r["appointment_id"] for r in client.post("/telehealth/appointments/reminders/run",
                                                         headers=service.headers).json()["reminded"]}
    assert soon_id in reminded and later_id not in reminded
    again = client.post("/telehealth/appointments/reminders/run", headers=service.headers).json()["reminded"]
    assert soon_id not in str(again)
    assert client.post("/telehealth/appointments/reminders/run", headers=patient.headers).status_code == 403


def test_a_reminder_reaches_the_patients_app_live_and_marks_the_appointment(client, care, telehealth, world):
    patient, other, clinician, _ = care
    soon_id, _ = _book(client, patient, clinician, start_hours=(3,))
    service = world.staff("service")
    with client.websocket_connect("/telehealth/ws") as patient_ws, \
            client.websocket_connect("/telehealth/ws") as clinician_ws, \
            client.websocket_connect("/telehealth/ws") as other_ws:  # fmt: skip
        for ws, person in ((patient_ws, patient), (clinician_ws, clinician), (other_ws, other)):
            ws.send_json({"token": person.token})
            assert ws.receive_json() == {"type": "ready"}
        ran = client.post("/telehealth/appointments/reminders/run", headers=service.headers)
        assert ran.status_code == 200, ran.text
        event = patient_ws.receive_json()
        assert event["type"] == "appointment-reminder" and event["appointment_id"] == soon_id
        # Reminders go to the patient's side only: the clinician's and another patient's sockets
        # get nothing; their next event is a message in a thread of their own.
        for ws, person in ((clinician_ws, clinician), (other_ws, other)):
            target = patient if person is clinician else other
            r = client.post("/telehealth/threads", headers=target.headers,
                            json={"patient_id": target.patient_id, "subject": "Check", "body": "after-reminder"})
            assert r.status_code == 201, r.text
            assert ws.receive_json()["type"] == "message"
    resource = client.get(f"/telehealth/appointments/{soon_id}", headers=patient.headers).json()
    assert any(e["url"].endswith("/reminder-sent") for e in resource["extension"])
    Appointment.model_validate(resource)
