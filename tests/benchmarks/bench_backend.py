"""Backend throughput: authenticated FHIR reads per second and p95 latency, on SQLite and (when
TEST_DATABASE_URL is set) PostgreSQL, against the unauthenticated /health baseline of the same run.

The server is the real one (`python -m app_backend serve`, uvicorn) on 127.0.0.1; the load is a
bounded loop of httpx clients in threads (keep-alive, fixed concurrency and request count).
Target (issue 8): 500 reads/s or more with p95 at most 100 ms on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "benchmark password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(database_url: str, workdir: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PLATFORM_ENV": "benchmark",
           "SECRET_KEY": "benchmark-only-signing-key-0123456789abcdef",
           "EXPORT_DIR": str(workdir / "exports"), "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "app_backend", "serve", "--port", str(port), "--workers", str(workers),
         "--log-level", "warning"],
        cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # imports are slow on a busy 2-core machine
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the backend exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the backend did not answer /health within 300 s")


def _seed(base: str, observations: int) -> tuple[dict, list[str], str]:
    with httpx.Client(base_url=base, timeout=30) as client:
        email = f"bench-{uuid.uuid4().hex[:8]}@example.org"
        patient = client.post("/auth/register", json={"email": email, "password": PASSWORD,
                                                       "name": "Bench Patient"}).raise_for_status().json()
        token = client.post("/auth/token", data={"username": email, "password": PASSWORD}
                            ).raise_for_status().json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
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
            ids.append(client.post("/fhir/Observation", headers=headers, json=body).raise_for_status().json()["id"])
        return headers, ids, patient["patient_id"]


def _load(base: str, paths: list[str], headers: dict, total: int, concurrency: int) -> dict:
    """`total` requests spread over `concurrency` keep-alive clients; latencies in ms."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_worker = total // concurrency

    def worker(offset: int) -> None:
        nonlocal errors
        mine, failed = [], 0
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            for i in range(per_worker):
                started = time.perf_counter()
                response = client.get(paths[(offset + i) % len(paths)])
                mine.append((time.perf_counter() - started) * 1000)
                failed += response.status_code != 200
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=worker, args=(n * 7,)) for n in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies), "errors": errors,
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 2),
    }


def bench_database(label: str, database_url: str, args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-backend-{label}-"))
    process, base = _start_server(database_url, workdir, args.workers)
    try:
        headers, ids, patient_id = _seed(base, args.observations)
        warm = max(200, args.requests // 10)
        _load(base, ["/health"], {}, warm, args.concurrency)
        _load(base, [f"/fhir/Observation/{i}" for i in ids], headers, warm, args.concurrency)
        health = _load(base, ["/health"], {}, args.requests, args.concurrency)
        read = _load(base, [f"/fhir/Observation/{i}" for i in ids], headers, args.requests, args.concurrency)
        search = _load(base, [f"/fhir/Observation?patient={patient_id}&code=8867-4&_count=10"],
                       headers, args.requests // 2, args.concurrency)
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    result = {
        "health_baseline": health, "fhir_read": read, "fhir_search": search,
        "read_vs_health_throughput": round(read["per_second"] / health["per_second"], 3),
        "search_vs_health_throughput": round(search["per_second"] / health["per_second"], 3),
        "read_meets_target": read["per_second"] >= 500 and read["p95_ms"] <= 100,
    }
    print(f"{label:10s} /health {health['per_second']:7.1f}/s p95 {health['p95_ms']:6.1f} ms | "
          f"FHIR read {read['per_second']:7.1f}/s p95 {read['p95_ms']:6.1f} ms "
          f"(x{result['read_vs_health_throughput']} of /health) | "
          f"search {search['per_second']:7.1f}/s p95 {search['p95_ms']:6.1f} ms", flush=True)
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
    args = parser.parse_args()
    figures = {"config": {"requests": args.requests, "concurrency": args.concurrency,
                          "uvicorn_workers": args.workers, "cpus": os.cpu_count()}}
    sqlite_dir = Path(tempfile.mkdtemp(prefix="bench-backend-db-"))
    try:
        figures["sqlite"] = bench_database("sqlite", f"sqlite:///{sqlite_dir / 'backend.sqlite'}", args)
    finally:
        shutil.rmtree(sqlite_dir, ignore_errors=True)
    pg = os.environ.get("TEST_DATABASE_URL")
    if pg:
        url, drop = _postgres_url(pg)
        try:
            figures["postgresql"] = bench_database("postgresql", url, args)
        finally:
            drop()
    else:
        print("postgresql: skipped (TEST_DATABASE_URL is not set)")
    return figures


if __name__ == "__main__":
    main()
