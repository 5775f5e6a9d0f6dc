"""A throwaway Airflow installation for the DAG tests: its own AIRFLOW_HOME, SQLite metadata
database and the `warehouse` pool, with the project's dags/ folder. Airflow runs in child
processes only, so its configuration never leaks into the test process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
RUNNER = Path(__file__).with_name("dag_runner.py")


def airflow_env(home: Path, extra: dict | None = None) -> dict:
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "PIPELINE_TASK_RETRIES": "0",
    }
    env.update(extra or {})
    return env


def migrate(home: Path, env: dict | None = None) -> dict:
    """Create the metadata database's tables and the one-slot `warehouse` pool."""
    home.mkdir(parents=True, exist_ok=True)
    env = env or airflow_env(home)
    proc = subprocess.run(
        [sys.executable, "-m", "infra.airflow_init"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return env


def run_dags(
    env: dict, *dag_ids: str, timeout: int = 600, use_executor: bool = False
) -> list[dict]:
    """Run each DAG once with dag.test(), in order, in one child process; their final states."""
    proc = subprocess.run(
        [sys.executable, str(RUNNER), *dag_ids, *(["--use-executor"] if use_executor else [])],
        env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, (proc.stdout + proc.stderr)[-6000:]
    return json.loads(lines[-1].removeprefix("RESULT "))
