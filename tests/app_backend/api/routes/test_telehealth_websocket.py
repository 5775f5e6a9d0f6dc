"""Real-time delivery: an authenticated socket receives its own threads' messages and nothing else."""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from app_backend.services.telehealth.config import TelehealthConfig


@pytest.fixture
def telehealth(app, tmp_path):
    app.state.telehealth = TelehealthConfig(attachment_dir=tmp_path)
    yield
    app.state.telehealth = None


def _connect(ws, person):
    ws.send_json({"token": person.token})
    assert ws.receive_json() == {"type": "ready"}


def test_sockets_receive_only_their_own_threads(client, world, telehealth):
    alice, bob = world.patient(), world.patient()
    nurse = world.staff("clinician")
    world.care_team([nurse], [alice, bob])
    with client.websocket_connect("/telehealth/ws") as alice_ws, client.websocket_connect("/telehealth/ws") as bob_ws, \
            client.websocket_connect("/telehealth/ws") as nurse_ws:
        for ws, person in ((alice_ws, alice), (bob_ws, bob), (nurse_ws, nurse)):
            _connect(ws, person)
        r = client.post("/telehealth/threads", headers=alice.headers,
                        json={"patient_id": alice.patient_id, "subject": "Pain", "body": "alice-secret"})
        thread_id = r.json()["thread"]["id"]
        assert nurse_ws.receive_json()["message"]["body"] == "alice-secret"
        assert alice_ws.receive_json()["message"]["thread_id"] == thread_id
        client.post(f"/telehealth/threads/{thread_id}/messages", headers=nurse.headers, json={"body": "nurse-reply"})
        assert alice_ws.receive_json()["message"]["body"] == "nurse-reply"
        # Bob's first event must be his own message: nothing of Alice's reached his socket.
        client.post("/telehealth/threads", headers=bob.headers,
                    json={"patient_id": bob.patient_id, "subject": "Sleep", "body": "bob-own"})
        assert bob_ws.receive_json()["message"]["body"] == "bob-own"


def test_a_socket_without_a_valid_token_is_closed(client, world):
    with client.websocket_connect("/telehealth/ws") as ws:
        ws.send_json({"token": "not-a-token"})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401
    admin = world.staff("admin")
    with client.websocket_connect("/telehealth/ws") as ws:
        ws.send_json({"token": admin.token})
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json()
