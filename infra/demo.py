"""`make demo`: the whole platform on one machine, on a synthetic cohort.

Generates a small cohort (unless one is there), runs the pipeline once, creates demo accounts,
then serves the backend, the dashboards and Airflow, prints their addresses and logins, and on
Ctrl-C (or SIGTERM) stops everything it started.

    python -m infra.demo [--data-dir data] [--patients 40] [--days 180] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from infra import airflow_local
from infra.processes import Service, Supervisor

REPO = Path(__file__).resolve().parents[1]

DEMO_ACCOUNTS = [  # role, email, name, password: demo data only, printed on start
    ("admin", "admin@demo.example", "Demo Admin", "demo-admin-2026"),
    ("clinician", "clinician@demo.example", "Dr Demo Clinician", "demo-clinician-2026"),
    ("analyst", "analyst@demo.example", "Demo Analyst", "demo-analyst-2026"),
    ("patient", "patient@demo.example", "Demo Survivor", "demo-patient-2026"),
    ("service", "export@demo.example", "Airflow export job", "demo-export-2026"),
]
SERVICE_ACCOUNT = next(a for a in DEMO_ACCOUNTS if a[0] == "service")
# People sign in with these; the service account is the export DAG's, not printed.
PERSON_ACCOUNTS = [a for a in DEMO_ACCOUNTS if a[0] != "service"]


class Stop(Exception):
    """SIGINT or SIGTERM arrived."""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data = args.data_dir.resolve()
    env = demo_environment(data, args)
    os.environ.update(env)
    supervisor = Supervisor(data / "logs" / "demo", cwd=REPO)

    def stop(signum, _frame):
        raise Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        prepare_data(data, env, args)
        serve(supervisor, data, env, args)
        (data / "demo-processes.json").write_text(json.dumps(supervisor.process_groups()))
        print_welcome(args, env)
        while (dead := supervisor.first_exited()) is None:
            time.sleep(1)
        print(f"error: {dead.name} stopped unexpectedly: {supervisor.tail(dead)}", file=sys.stderr)
        return 1
    except Stop as why:
        print(f"\n{why}: stopping ...", flush=True)
        return 0
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc} (logs in {supervisor.log_dir})", file=sys.stderr)
        return 1
    finally:
        signal.signal(
            signal.SIGINT, signal.SIG_IGN
        )  # a second Ctrl-C must not cut the shutdown short
        supervisor.stop_all()
        print("all demo processes stopped", flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m infra.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--patients", type=int, default=40)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backend-port", type=int, default=8000)
    parser.add_argument("--dashboard-port", type=int, default=8501)
    parser.add_argument("--airflow-port", type=int, default=8080)
    parser.add_argument(
        "--skip-pipeline", action="store_true", help="serve what is already published"
    )
    return parser.parse_args(argv)


def demo_environment(data: Path, args) -> dict:
    """Locations under the data folder, and secrets generated once per data folder (never in git).

    PSEUDONYM_KEY is passed through, not invented: `make pipeline` and the demo must key patients
    the same way on the same data (unset outside production means the development key)."""
    data.mkdir(parents=True, exist_ok=True)
    secrets_file = data / "demo-secrets.json"
    if secrets_file.exists():
        kept = json.loads(secrets_file.read_text())
    else:
        kept = {name: secrets.token_urlsafe(32) for name in ("SECRET_KEY", "AIRFLOW_JWT_SECRET")}
        kept["AIRFLOW_ADMIN_PASSWORD"] = secrets.token_urlsafe(12)
        secrets_file.write_text(json.dumps(kept))
        secrets_file.chmod(0o600)
    backend_url = f"http://127.0.0.1:{args.backend_port}"
    env = {
        "PLATFORM_ENV": os.environ.get("PLATFORM_ENV", "development"),
        "WAREHOUSE_PATH": os.environ.get("WAREHOUSE_PATH") or str(data / "warehouse.duckdb"),
        "SNAPSHOT_DIR": os.environ.get("SNAPSHOT_DIR") or str(data / "snapshots"),
        "LANDING_DIR": os.environ.get("LANDING_DIR") or str(data / "landing"),
        "QUALITY_DIR": os.environ.get("QUALITY_DIR") or str(data / "quality"),
        "PIPELINE_RUNS_DIR": os.environ.get("PIPELINE_RUNS_DIR") or str(data / "runs"),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{data / 'backend.sqlite'}",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or kept["SECRET_KEY"],
        "BACKEND_URL": backend_url,
        "BACKEND_EXPORT_USER": SERVICE_ACCOUNT[1],
        "BACKEND_EXPORT_PASSWORD": SERVICE_ACCOUNT[3],
        "AIRFLOW_ADMIN_PASSWORD": kept["AIRFLOW_ADMIN_PASSWORD"],
        "PYTHONPATH": str(REPO),
    }
    env.update(airflow_local.airflow_env(data / "airflow", args.airflow_port, kept["AIRFLOW_JWT_SECRET"],
                                         kept["AIRFLOW_ADMIN_PASSWORD"]))  # fmt: skip
    return env


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *command], cwd=REPO, check=True)


def prepare_data(data: Path, env: dict, args) -> None:
    landing = Path(env["LANDING_DIR"])
    if not (landing / "fhir").is_dir():
        step(
            f"generating a synthetic cohort ({args.patients} patients, {args.days} days) in {landing}"
        )
        run("-m", "ingestion", "synth", "--patients", str(args.patients), "--days", str(args.days),
            "--seed", str(args.seed), "--out", str(landing), "--quiet")  # fmt: skip
    if not args.skip_pipeline:
        step("running the pipeline once (ingest, dbt build, quality checks, publish)")
        run("-m", "ingestion.pipeline", "run")
    step("preparing the backend database and demo accounts")
    run("-m", "app_backend", "migrate")
    for role, email, name, password in DEMO_ACCOUNTS:
        create_account(role, email, name, password)
    step("preparing Airflow (metadata database, warehouse pool)")
    airflow_local.prepare(env, REPO)


def create_account(role: str, email: str, name: str, password: str) -> None:
    command = [sys.executable, "-m", "app_backend", "create-user", "--role", role, "--email", email,
               "--name", name, "--password-env", "DEMO_PASSWORD"]  # fmt: skip
    if role == "patient":
        command += ["--birth-date", "1970-01-01"]
    proc = subprocess.run(command, cwd=REPO, env={**os.environ, "DEMO_PASSWORD": password},
                          capture_output=True, text=True, check=False)  # fmt: skip
    if proc.returncode != 0 and "exist" not in (proc.stdout + proc.stderr).lower():
        raise RuntimeError(
            f"could not create the demo {role} account: {proc.stderr.strip()[-300:]}"
        )


def serve(supervisor: Supervisor, data: Path, env: dict, args) -> None:
    backend = Service("backend", [sys.executable, "-m", "app_backend", "serve", "--port", str(args.backend_port),
                                  "--no-migrate"], url=f"{env['BACKEND_URL']}/health")  # fmt: skip
    dashboards = Service(
        "dashboards",
        [sys.executable, "-m", "streamlit", "run", "dashboards/app.py", "--server.port", str(args.dashboard_port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        url=f"http://127.0.0.1:{args.dashboard_port}/_stcore/health",
    )  # fmt: skip
    airflow = airflow_local.services(env, args.airflow_port)
    step("starting the backend, the dashboards and Airflow")
    for service in [backend, dashboards, *airflow]:
        supervisor.start(service)
    for service in [backend, dashboards, airflow[0]]:
        supervisor.wait_until_up(service, timeout=180)


def print_welcome(args, env: dict) -> None:
    accounts = "\n".join(
        f"    {role:<10} {email:<26} {password}" for role, email, _, password in PERSON_ACCOUNTS
    )
    print(f"""
The survivorship platform is running (synthetic data only):

  Dashboards   http://127.0.0.1:{args.dashboard_port}
  Backend API  http://127.0.0.1:{args.backend_port}/docs   (FHIR R4 at /fhir)
  Airflow UI   http://127.0.0.1:{args.airflow_port}        (admin / {env['AIRFLOW_ADMIN_PASSWORD']})

  Demo accounts (dashboards and backend):
{accounts}

Press Ctrl-C to stop everything.
""", flush=True)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
