"""Backend throughput: authenticated FHIR reads per second and p95 latency, on SQLite and (when
TEST_DATABASE_URL is set) PostgreSQL, beside the unauthenticated /health of the same run.

The server is the real one (`python -m app_backend serve`, uvicorn) on 127.0.0.1. The load comes
from `loadgen.py` in its own process (asyncio raw sockets, keep-alive, fixed concurrency), so
the generator does not share the server's interpreter; /health throughput is the ceiling of
generator plus HTTP stack, and the reads are reported against it. Server CPU per request (from
/proc) is printed too: it is far less sensitive to other load on the machine than requests/s.
The loads take turns over --rounds rounds; figures are medians over the rounds and each ratio to
/health the median of the ratios measured within a round.

Reads measured: a patient reading their own Observation (token check, ownership), and a
clinician reading a followed patient's Observation (token check, care team, consent, one
AuditEvent per read; the bench checks that every read left its audit record).
Target (issue 8): 500 reads/s or more with p95 at most 100 ms on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
LOADGEN = Path(__file__).resolve().parent / "loadgen.py"
PASSWORD = "benchmark password"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
TARGET_PER_SECOND, TARGET_P95_MS = 500, 100


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(database_url: str, workdir: Path, workers: int) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PLATFORM_ENV": "benchmark",
           "SECRET_KEY": "benchmark-only-signing-key-0123456789abcdef",
           "EXPORT_DIR": str(workdir / "exports"), "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "app_backend", "serve", "--port", str(port), "--workers", str(workers),
         "--log-level", "warning"],
        cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300  # imports are slow on a busy 2-core machine
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the backend exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process, port
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the backend did not answer /health within 300 s")


def _login(client: httpx.Client, email: str) -> dict:
    token = client.post("/auth/token", data={"username": email, "password": PASSWORD}
                        ).raise_for_status().json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _seed(port: int, database_url: str, observations: int) -> dict:
    """A patient with `observations` Observations, followed by a clinician's care team."""
    from app_backend.db import make_engine, make_session_factory
    from app_backend.services.accounts import create_user

    tag = uuid.uuid4().hex[:8]
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        clinician = create_user(session, email=f"clin-{tag}@example.org", password=PASSWORD,
                                name="Bench Clinician", role="clinician")
        create_user(session, email=f"admin-{tag}@example.org", password=PASSWORD,
                    name="Bench Admin", role="admin")
        session.commit()
        clinician_id = clinician.id
    engine.dispose()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        email = f"bench-{tag}@example.org"
        patient = client.post("/auth/register", json={"email": email, "password": PASSWORD,
                                                       "name": "Bench Patient"}).raise_for_status().json()
        patient_headers = _login(client, email)
        admin = _login(client, f"admin-{tag}@example.org")
        team = client.post("/admin/care-teams", headers=admin, json={"name": f"team-{tag}"}
                           ).raise_for_status().json()["id"]
        client.post(f"/admin/care-teams/{team}/members", headers=admin,
                    json={"user_id": clinician_id}).raise_for_status()
        client.post(f"/admin/care-teams/{team}/patients", headers=admin,
                    json={"patient_id": patient["patient_id"]}).raise_for_status()
        ids = []
        for i in range(observations):
            body = {
                "resourceType": "Observation", "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                "subject": {"reference": f"Patient/{patient['patient_id']}"},
                "effectiveDateTime": f"2026-10-{1 + i % 28:02d}T08:00:00+00:00",
                "valueQuantity": {"value": 60 + i % 30, "unit": "/min",
                                  "system": "http://unitsofmeasure.org", "code": "/min"},
            }
            ids.append(client.post("/fhir/Observation", headers=patient_headers, json=body
                                   ).raise_for_status().json()["id"])
        return {"patient": patient_headers, "clinician": _login(client, f"clin-{tag}@example.org"),
                "clinician_id": clinician_id, "observation_ids": ids, "patient_id": patient["patient_id"]}


def _process_tree_cpu(root: int) -> float:
    """CPU seconds (user + system) used so far by a process and its descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        tree.update(children)
        frontier.extend(children)
    return sum(cpu.get(pid, 0.0) for pid in tree)


def _load(server: subprocess.Popen, port: int, paths: list[str], headers: dict, total: int,
          concurrency: int) -> dict:
    spec = {"host": "127.0.0.1", "port": port, "paths": paths, "headers": headers,
            "requests": total, "concurrency": concurrency}
    cpu_before = _process_tree_cpu(server.pid)
    done = subprocess.run([sys.executable, str(LOADGEN)], input=json.dumps(spec), text=True,
                          capture_output=True, check=True)
    figures = json.loads(done.stdout)
    figures["server_cpu_ms_per_request"] = round(
        (_process_tree_cpu(server.pid) - cpu_before) * 1000 / figures["requests"], 3)
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    return figures


def _median_figures(runs: list[dict]) -> dict:
    """One load's figures over the rounds: medians of the rates, latencies and CPU per request;
    totals of requests, errors and generator CPU."""
    figures = {key: round(statistics.median(r[key] for r in runs), 3)
               for key in ("per_second", "p50_ms", "p95_ms", "p99_ms", "server_cpu_ms_per_request",
                           "load_average_1m")}
    figures.update({key: round(sum(r[key] for r in runs), 3) for key in ("requests", "errors", "cpu_s")})
    return figures


def _audit_rows(database_url: str, user_id: int) -> int:
    from sqlalchemy import func, select

    from app_backend.db import make_engine
    from app_backend.models import AuditRecord

    engine = make_engine(database_url)
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(AuditRecord).where(
            AuditRecord.user_id == user_id, AuditRecord.outcome == "0"))
    engine.dispose()
    return count


def bench_database(label: str, database_url: str, args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-backend-{label}-"))
    server, port = _start_server(database_url, workdir, args.workers)
    try:
        seed = _seed(port, database_url, args.observations)
        reads = [f"/fhir/Observation/{i}" for i in seed["observation_ids"]]
        search = [f"/fhir/Observation?patient={seed['patient_id']}&code=8867-4&_count=10"]
        audits_before = _audit_rows(database_url, seed["clinician_id"])
        warm = max(200, args.requests // 10)
        for paths, headers in ((["/health"], {}), (reads, seed["patient"]), (reads, seed["clinician"])):
            _load(server, port, paths, headers, warm, args.concurrency)
        # The loads take turns, round after round, so a change in the machine's other load
        # (it is shared) falls on all of them alike; each figure is the median over the rounds,
        # each ratio the median of the ratios within a round.
        loads = {"health": (["/health"], {}, 1), "read": (reads, seed["patient"], 1),
                 "clinician": (reads, seed["clinician"], 1), "search": (search, seed["patient"], 2)}
        per_round = max(1, args.requests // args.rounds)
        rounds = [{name: _load(server, port, paths, headers, per_round // share, args.concurrency)
                   for name, (paths, headers, share) in loads.items()} for _ in range(args.rounds)]
        health, read, clinician, found = (_median_figures([r[name] for r in rounds]) for name in loads)
        audited = _audit_rows(database_url, seed["clinician_id"]) - audits_before
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    def ratio(name: str) -> float:
        return round(statistics.median(r[name]["per_second"] / r["health"]["per_second"] for r in rounds), 3)

    result = {
        "generator_ceiling_health": health, "fhir_read": read, "fhir_read_clinician": clinician,
        "fhir_search": found, "rounds": rounds,
        "read_vs_health_throughput": ratio("read"),
        "clinician_read_vs_health_throughput": ratio("clinician"),
        "search_vs_health_throughput": ratio("search"),
        "clinician_reads_audited": audited == warm + clinician["requests"],
        "read_meets_target": all(r["per_second"] >= TARGET_PER_SECOND and r["p95_ms"] <= TARGET_P95_MS
                                 and r["errors"] == 0 for r in (read, clinician)),
    }
    for name, f in (("/health (ceiling)", health), ("FHIR read, patient", read),
                    ("FHIR read, clinician", clinician), ("FHIR search", found)):
        print(f"{label:10s} {name:21s} {f['per_second']:7.1f}/s  p50 {f['p50_ms']:6.1f} ms  "
              f"p95 {f['p95_ms']:6.1f} ms  server {f['server_cpu_ms_per_request']:5.2f} ms CPU/req  "
              f"generator {f['cpu_s']:5.2f} s CPU  errors {f['errors']}  load {f['load_average_1m']}",
              flush=True)
    print(f"{label:10s} median of {args.rounds} rounds; throughput vs /health: patient read "
          f"{result['read_vs_health_throughput']}, clinician read "
          f"{result['clinician_read_vs_health_throughput']}, search {result['search_vs_health_throughput']}",
          flush=True)
    print(f"{label:10s} reads meet {TARGET_PER_SECOND}/s at p95 <= {TARGET_P95_MS} ms: "
          f"{result['read_meets_target']}; every clinician read audited: "
          f"{result['clinician_reads_audited']}", flush=True)
    return result


def _postgres_url(base_url: str) -> tuple[str, callable]:
    """A throwaway schema on the test server, and how to drop it."""
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    separator = "&" if "?" in base_url else "?"

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'drop schema "{schema}" cascade'))
        admin.dispose()

    return f"{base_url}{separator}options=-csearch_path%3D{schema}", drop


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--observations", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3,
                        help="the loads take turns this many times (--requests are split among them)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    args = parser.parse_args()
    figures = {"config": {"requests": args.requests, "rounds": args.rounds, "concurrency": args.concurrency,
                          "uvicorn_workers": args.workers, "cpus": os.cpu_count(),
                          "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}}
    if args.only != "postgresql":
        sqlite_dir = Path(tempfile.mkdtemp(prefix="bench-backend-db-"))
        try:
            figures["sqlite"] = bench_database("sqlite", f"sqlite:///{sqlite_dir / 'backend.sqlite'}", args)
        finally:
            shutil.rmtree(sqlite_dir, ignore_errors=True)
    pg = os.environ.get("TEST_DATABASE_URL")
    if pg and args.only != "sqlite":
        url, drop = _postgres_url(pg)
        try:
            figures["postgresql"] = bench_database("postgresql", url, args)
        finally:
            drop()
    elif args.only != "sqlite":
        print("postgresql: skipped (TEST_DATABASE_URL is not set)")
    return figures


if __name__ == "__main__":
    main()
