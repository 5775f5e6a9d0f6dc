"""A real, small Airflow cluster on loopback for the scale-out test: PostgreSQL metadata database
(a dedicated database created for the run), Redis as the Celery broker (a Redis database that was
empty, emptied again afterwards), an api-server (the workers' execution API) and one Celery
worker, each in its own process group."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.dags.airflow_env import airflow_env, migrate
from tests.infra.test_demo import answers, free_port

REDIS = ("127.0.0.1", 6379)


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def claim_redis_db() -> int:
    """An empty Redis database (1-15) for this run's broker queues, so parallel runs never share one."""
    import random

    import redis

    for index in random.sample(range(1, 16), 15):
        if redis.Redis(*REDIS, db=index).dbsize() == 0:
            return index
    raise RuntimeError("no empty Redis database (1-15) for the Celery broker")


def release_redis_db(index: int) -> None:
    import redis

    redis.Redis(*REDIS, db=index).flushdb()


def create_database(admin_url: str) -> tuple[str, str]:
    """A fresh database next to TEST_DATABASE_URL's; (its SQLAlchemy URL, its name)."""
    import sqlalchemy as sa

    name = f"airflow_celery_{secrets.token_hex(4)}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as con:
        con.execute(sa.text(f'create database "{name}"'))
    engine.dispose()
    return str(
        sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    ), name


def drop_database(admin_url: str, name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as con:
        con.execute(sa.text(f'drop database if exists "{name}" with (force)'))
    engine.dispose()


class CeleryCluster:
    def __init__(self, home: Path, metadata_url: str, stores: dict):
        self.home = home
        self.port = free_port()
        self.redis_db = claim_redis_db()
        self.env = airflow_env(home, {
            **stores,
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
            # psycopg 3 serves async too; Airflow would otherwise look for asyncpg.
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": metadata_url,
            "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{self.redis_db}",
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata_url,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{self.port}",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        })  # fmt: skip
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        migrate(self.home, self.env)
        airflow = [sys.executable, "-m", "airflow"]
        self._spawn(
            "api-server", [*airflow, "api-server", "--host", "127.0.0.1", "--port", str(self.port)]
        )
        self._spawn("worker", [*airflow, "celery", "worker", "--concurrency", "2",
                               "--without-mingle", "--without-gossip"])  # fmt: skip
        deadline = time.monotonic() + 180
        while not answers(f"http://127.0.0.1:{self.port}/api/v2/monitor/health"):
            for proc in self.processes:
                assert proc.poll() is None, f"{proc.args[3]} exited: {self.log_tail(proc.args[3])}"
            assert time.monotonic() < deadline, "api-server did not come up"
            time.sleep(1)

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.home / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes.append(subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                               stdin=subprocess.DEVNULL, start_new_session=True))  # fmt: skip

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.home / f"{name}.log"
        return (
            "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            if path.exists()
            else ""
        )

    def stop(self) -> None:
        for proc in self.processes:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in self.processes:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        release_redis_db(self.redis_db)
