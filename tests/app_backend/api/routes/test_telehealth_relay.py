"""Live events across backend workers: two apps on one database (as two uvicorn workers are),
relayed through the real Redis on loopback; and a worker whose Redis is gone still delivers to
its own sockets."""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from fastapi.testclient import TestClient

from app_backend.main import create_app
from app_backend.services.telehealth.config import TelehealthConfig

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def workers(settings, engine, tmp_path):
    if not _redis_up():
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: start it (see .ci/run) or set TEST_REDIS_URL")
    channel = f"telehealth-test-{uuid.uuid4().hex}"
    apps = [create_app(settings, engine) for _ in range(2)]
    for app in apps:
        app.state.telehealth = TelehealthConfig(attachment_dir=tmp_path, redis_url=REDIS_URL,
                                                relay_channel=channel)  # fmt: skip
    with TestClient(apps[0]) as first, TestClient(apps[1]) as second:
        yield first, second
    for app in apps:
        hub = getattr(app.state, "telehealth_hub", None)
        if hub is not None and hub.relay is not None:
            hub.relay.stop()


def _ready(ws, person):
    ws.send_json({"token": person.token})
    assert ws.receive_json() == {"type": "ready"}


def test_a_message_posted_on_one_worker_reaches_sockets_on_another(workers, world):
    first, second = workers
    alice, bob = world.patient(), world.patient()
    nurse = world.staff("clinician")
    world.care_team([nurse], [alice, bob])
    with second.websocket_connect("/telehealth/ws") as nurse_ws, \
            second.websocket_connect("/telehealth/ws") as bob_ws:  # fmt: skip
        _ready(nurse_ws, nurse)
        _ready(bob_ws, bob)
        posted = first.post("/telehealth/threads", headers=alice.headers,
                            json={"patient_id": alice.patient_id, "subject": "Fever", "body": "alice-relayed"})
        assert posted.status_code == 201, posted.text
        event = nurse_ws.receive_json()
        assert event["message"]["body"] == "alice-relayed"
        # Bob's socket on the same worker got nothing of Alice's: his first event is his own.
        first.post("/telehealth/threads", headers=bob.headers,
                   json={"patient_id": bob.patient_id, "subject": "Sleep", "body": "bob-own"})
        assert bob_ws.receive_json()["message"]["body"] == "bob-own"


def test_without_redis_a_worker_still_delivers_to_its_own_sockets(settings, engine, tmp_path, world):
    app = create_app(settings, engine)
    app.state.telehealth = TelehealthConfig(attachment_dir=tmp_path, redis_url="redis://127.0.0.1:1/0")
    patient = world.patient()
    with TestClient(app) as client, client.websocket_connect("/telehealth/ws") as ws:
        _ready(ws, patient)
        posted = client.post("/telehealth/threads", headers=patient.headers,
                             json={"patient_id": patient.patient_id, "subject": "Pain", "body": "kept"})
        assert posted.status_code == 201, posted.text
        assert ws.receive_json()["message"]["body"] == "kept"
    app.state.telehealth_hub.relay.stop()
