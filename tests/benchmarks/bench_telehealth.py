"""Telehealth fan-out: time from a patient's message POST until every care-team socket has it,
over WebSocket on loopback against the real server, beside the /health round trip of the same run.

    .venv/bin/python tests/benchmarks/bench_telehealth.py [--clinicians 10] [--messages 50]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.bench_backend import _start_server

PASSWORD = "benchmark password"


def _token(base: str, email: str) -> str:
    r = httpx.post(f"{base}/auth/token", data={"username": email, "password": PASSWORD}, timeout=30)
    r.raise_for_status()
    return r.json()["access_token"]


def _create_staff(database_url: str, role: str) -> str:
    email = f"{role}-{uuid.uuid4().hex[:8]}@bench.example"
    env = {**os.environ, "DATABASE_URL": database_url, "BENCH_PW": PASSWORD}
    subprocess.run([sys.executable, "-m", "app_backend", "create-user", "--role", role, "--email", email,
                    "--name", f"Bench {role}", "--password-env", "BENCH_PW"], env=env, check=True,
                   capture_output=True)
    return email


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clinicians", type=int, default=10)
    parser.add_argument("--messages", type=int, default=50)
    args = parser.parse_args(sys.argv[1:])
    workdir = Path(tempfile.mkdtemp(prefix="bench-telehealth-"))
    database_url = f"sqlite:///{workdir / 'backend.sqlite'}"
    subprocess.run([sys.executable, "-m", "app_backend", "migrate"], env={**os.environ, "DATABASE_URL": database_url},
                   check=True, capture_output=True)
    admin_email = _create_staff(database_url, "admin")
    clinician_emails = [_create_staff(database_url, "clinician") for _ in range(args.clinicians)]
    server, base = _start_server(database_url, workdir, workers=1)  # the hub lives in one process
    try:
        patient_email = f"patient-{uuid.uuid4().hex[:8]}@bench.example"
        patient = httpx.post(f"{base}/auth/register", json={"email": patient_email, "password": PASSWORD,
                                                             "name": "Bench Patient"}, timeout=30).json()
        admin = {"Authorization": f"Bearer {_token(base, admin_email)}"}
        team = httpx.post(f"{base}/admin/care-teams", headers=admin, json={"name": "bench team"}, timeout=30).json()["id"]
        users = httpx.get(f"{base}/admin/users", headers=admin, timeout=30).json()
        ids = {u["email"]: u["id"] for u in (users if isinstance(users, list) else users.get("users", users.get("items", [])))}
        for email in clinician_emails:
            httpx.post(f"{base}/admin/care-teams/{team}/members", headers=admin, json={"user_id": ids[email]}, timeout=30)
        httpx.post(f"{base}/admin/care-teams/{team}/patients", headers=admin, json={"patient_id": patient["patient_id"]}, timeout=30)
        patient_headers = {"Authorization": f"Bearer {_token(base, patient_email)}"}

        arrivals: dict[str, list[float]] = {}
        lock = threading.Lock()
        ready = threading.Barrier(args.clinicians + 1)

        def listen(email: str) -> None:
            with connect(base.replace("http", "ws") + "/telehealth/ws") as ws:
                ws.send(json.dumps({"token": _token(base, email)}))
                assert json.loads(ws.recv())["type"] == "ready"
                ready.wait()
                for _ in range(args.messages):
                    event = json.loads(ws.recv(timeout=60))
                    with lock:
                        arrivals.setdefault(event["message"]["body"], []).append(time.perf_counter())

        threads = [threading.Thread(target=listen, args=(e,), daemon=True) for e in clinician_emails]
        for t in threads:
            t.start()
        ready.wait()
        client = httpx.Client(base_url=base, headers=patient_headers, timeout=30)
        first = client.post("/telehealth/threads", json={"patient_id": patient["patient_id"], "subject": "bench",
                                                         "body": "m-0"})
        sent = {"m-0": time.perf_counter()}
        thread_id = first.json()["thread"]["id"]
        for i in range(1, args.messages):
            time.sleep(0.02)
            sent[f"m-{i}"] = time.perf_counter()
            client.post(f"/telehealth/threads/{thread_id}/messages", json={"body": f"m-{i}"})
        for t in threads:
            t.join(timeout=120)
        fan_out = [(max(arrivals[b]) - sent[b]) * 1000 for b in sent if len(arrivals.get(b, [])) == args.clinicians]
        health = []
        for _ in range(50):
            started = time.perf_counter()
            client.get("/health")
            health.append((time.perf_counter() - started) * 1000)
    finally:
        server.terminate()
        server.wait(timeout=30)
    complete = len(fan_out)
    p50, p95 = statistics.median(fan_out), statistics.quantiles(fan_out, n=20)[18]
    baseline = statistics.median(health)
    print(f"fan-out to {args.clinicians} sockets: {complete}/{args.messages} messages reached every socket")
    print(f"  POST → last socket: p50 {p50:.1f} ms, p95 {p95:.1f} ms; /health round trip p50 {baseline:.1f} ms "
          f"(fan-out p50 = {p50 / baseline:.1f}x /health)")
    return {"clinicians": args.clinicians, "messages": args.messages, "delivered_to_all": complete,
            "fan_out_p50_ms": round(p50, 2), "fan_out_p95_ms": round(p95, 2), "health_p50_ms": round(baseline, 2),
            "fan_out_to_health_ratio": round(p50 / baseline, 2), "load_average": os.getloadavg()[0]}


if __name__ == "__main__":
    main()
