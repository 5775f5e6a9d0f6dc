"""Sign-in and the alert workflow against the real backend (app_backend over HTTP on loopback),
with accounts created through its CLI and admin API and a snapshot keyed to its patients."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import duckdb
import httpx
import pytest
from conftest import PASSWORD, REPO_ROOT, assert_no_exception, signed_in, texts

from dashboards.demo_snapshot import build_snapshot

pytest.importorskip("app_backend.main", reason="the backend (app_backend) is not importable")
pytestmark = pytest.mark.slow

ADMIN, DOCTOR, SURVIVOR = "admin@survivorship.eu", "dr.janssen@survivorship.eu", "survivor@survivorship.eu"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli(env, *args):
    subprocess.run([sys.executable, "-m", "app_backend", *args], env=env, cwd=REPO_ROOT, check=True,
                   capture_output=True, timeout=120)  # fmt: skip


@pytest.fixture(scope="module")
def real_backend(tmp_path_factory, today):
    home = tmp_path_factory.mktemp("backend")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{home / 'backend.sqlite'}", "PW": PASSWORD,
           "APP_ENV": "test", "EXPORT_DIR": str(home / "exports"), "PYTHONPATH": str(REPO_ROOT),
           "SECRET_KEY": "dashboard-test-signing-key-0123456789abcdef"}  # fmt: skip
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(home / "server.log", "wb")  # noqa: SIM115 - closed at teardown
    server = subprocess.Popen([sys.executable, "-m", "app_backend", "serve", "--port", str(port),
                               "--log-level", "warning"],
                              env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(f"the backend did not start: {(home / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)
        # The first admin through the CLI (as an operator would); everyone else through the API.
        _cli(env, "create-user", "--role", "admin", "--email", ADMIN, "--name", "Alex Admin",
             "--password-env", "PW")  # fmt: skip
        with httpx.Client(base_url=url, timeout=30) as http:
            survivor = http.post("/auth/register", json={"email": SURVIVOR, "password": PASSWORD,
                                                         "name": "Sam Survivor"}).raise_for_status().json()  # fmt: skip
            token = http.post("/auth/token", data={"username": ADMIN, "password": PASSWORD}).json()["access_token"]
            admin = {"Authorization": f"Bearer {token}"}
            doctor_id = http.post("/admin/users", headers=admin, json={
                "email": DOCTOR, "password": PASSWORD, "name": "Dr Eva Janssen", "role": "clinician",
            }).raise_for_status().json()["id"]
            team = http.post("/admin/care-teams", json={"name": "Breast team"}, headers=admin).raise_for_status().json()
            http.post(f"/admin/care-teams/{team['id']}/members", json={"user_id": doctor_id},
                      headers=admin).raise_for_status()  # fmt: skip
            http.post(f"/admin/care-teams/{team['id']}/patients", json={"patient_id": survivor["patient_id"]},
                      headers=admin).raise_for_status()  # fmt: skip
        # A snapshot whose identity file maps one of its patients (with a fever now) to the survivor.
        snapshots = build_snapshot(home / "snapshots", patients=30, days=40, today=today, name="rb")
        with duckdb.connect(str(snapshots / "rb-identity.duckdb")) as con:
            con.execute("update identity.patient_identity set patient_id = ?, display_name = 'Sam Survivor' "
                        "where patient_id = 'pat-00001'", [survivor["patient_id"]])  # fmt: skip
        yield {"url": url, "snapshots": snapshots, "patient_id": survivor["patient_id"]}
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture
def real_env(monkeypatch, real_backend):
    monkeypatch.setenv("BACKEND_URL", real_backend["url"])
    monkeypatch.setenv("SNAPSHOT_DIR", str(real_backend["snapshots"]))
    return real_backend


def test_clinician_signs_in_and_resolves_an_alert_through_the_backend(real_env):
    at = signed_in(DOCTOR)
    assert_no_exception(at)
    table = at.dataframe[0].value
    assert set(table["Patient"]) == {"Sam Survivor"} and len(table) >= 1
    at.radio[0].set_value("resolve")
    at.text_area[0].input("Reviewed by phone; fever settling.")
    at.button(key="FormSubmitter:alert_action-Record action").click().run()
    assert_no_exception(at)
    assert any("Recorded: resolve" in s.value for s in at.success)
    # A new session sees the resolution from the backend's Tasks, not from its own memory.
    again = signed_in(DOCTOR)
    remaining = len(again.dataframe[0].value) if again.dataframe else 0
    assert remaining == len(table) - 1


def test_admin_signs_in_to_the_aggregate_pages(real_env):
    at = signed_in(ADMIN)
    assert_no_exception(at)
    assert "Cohort outcomes" in texts(at)


def test_a_patient_account_is_turned_away(real_env):
    at = signed_in(SURVIVOR)
    assert "patients use the survivor app" in at.error[0].value


def test_clinician_messages_the_patient_from_the_patient_view(real_env):
    at = signed_in(DOCTOR)
    at.switch_page("app_pages/patient_view.py").run()
    assert_no_exception(at)
    assert any("No conversations with this patient yet" in i.value for i in at.info)
    form_inputs = [t for t in at.text_input if t.label == "Subject"]
    form_inputs[0].input("Your temperature readings")
    next(t for t in at.text_area if t.label == "Message").input("Please call us today about your fever.")
    at.button(key="FormSubmitter:start_thread-Start conversation").click().run()
    assert_no_exception(at)
    page = texts(at)
    assert "Your temperature readings" in page and "Please call us today about your fever." in page
