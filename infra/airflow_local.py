"""Airflow on one machine for the demo: SQLite metadata database, LocalExecutor, the simple auth
manager with one admin account, and the project's dags/ folder. (What `airflow standalone` does,
with the ports and accounts under our control.) Production runs use compose.yaml or k8s/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from infra.processes import Service

REPO = Path(__file__).resolve().parents[1]


def airflow_env(home: Path, port: int, jwt_secret: str, admin_password: str) -> dict:
    home.mkdir(parents=True, exist_ok=True)
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps({"admin": admin_password}))
    passwords.chmod(0o600)
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # The demo shows the platform running: DAGs start scheduled, not paused.
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": jwt_secret,
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "PYTHONPATH": str(REPO),
    }


def prepare(env: dict, cwd: Path) -> None:
    """Create or upgrade the metadata database and the one-slot warehouse pool."""
    proc = subprocess.run([sys.executable, "-m", "infra.airflow_init"], env={**os.environ, **env}, cwd=cwd,
                          capture_output=True, text=True, check=False)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(
            f"airflow database setup failed: {proc.stderr.strip().splitlines()[-1:]}"
        )


def services(env: dict, port: int) -> list[Service]:
    airflow = [sys.executable, "-m", "airflow"]
    return [
        Service("airflow-api-server", [*airflow, "api-server", "--host", "127.0.0.1", "--port", str(port)],
                url=f"http://127.0.0.1:{port}/api/v2/monitor/health", env=env),
        Service("airflow-scheduler", [*airflow, "scheduler"], env=env),
        Service("airflow-dag-processor", [*airflow, "dag-processor"], env=env),
        Service("airflow-triggerer", [*airflow, "triggerer"], env=env),
    ]  # fmt: skip
