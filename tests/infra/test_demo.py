"""`make demo` (python -m infra.demo): serves the backend, the dashboards and Airflow, and on
Ctrl-C stops every process it started."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from infra.processes import live_in_groups

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@pytest.mark.slow
def test_demo_serves_three_addresses_and_stops_everything_on_ctrl_c(tmp_path):
    data = tmp_path / "data"
    (data / "landing" / "fhir").mkdir(parents=True)  # a cohort is "there": no generation needed
    ports = {name: free_port() for name in ("backend", "dashboard", "airflow")}
    env = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW")}
    for var in ("WAREHOUSE_PATH", "SNAPSHOT_DIR", "LANDING_DIR", "DATABASE_URL"):
        env.pop(var, None)  # the demo derives them from --data-dir
    # Airflow's log servers must not collide with another Airflow on this machine.
    env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(free_port())
    env["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"] = str(free_port())
    demo = subprocess.Popen(
        [sys.executable, "-m", "infra.demo", "--data-dir", str(data), "--skip-pipeline",
         "--backend-port", str(ports["backend"]), "--dashboard-port", str(ports["dashboard"]),
         "--airflow-port", str(ports["airflow"])],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output = []
    try:
        for line in demo.stdout:
            output.append(line)
            if "Press Ctrl-C" in line or demo.poll() is not None:
                break
        banner = "".join(output)
        assert "Press Ctrl-C" in banner, banner
        for name, url in [("backend", f"http://127.0.0.1:{ports['backend']}/health"),
                          ("dashboard", f"http://127.0.0.1:{ports['dashboard']}/_stcore/health"),
                          ("airflow", f"http://127.0.0.1:{ports['airflow']}/api/v2/monitor/health")]:  # fmt: skip
            assert answers(url), name
            assert f"http://127.0.0.1:{ports[name]}" in banner
        assert "clinician@demo.example" in banner and "admin /" in banner
        started = psutil.Process(demo.pid).children(recursive=True)
        groups = json.loads((data / "demo-processes.json").read_text())
        assert len(groups) == 6 and len(started) >= 6

        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=90)
        assert demo.returncode == 0, rest
        assert "all demo processes stopped" in rest
    finally:
        if demo.poll() is None:
            demo.kill()
    time.sleep(0.5)
    alive = [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], [p.cmdline()[:4] for p in alive]
    in_groups = [pid for pid, _pgid in live_in_groups(set(groups))]  # zombies are not running
    assert in_groups == []
    for port in ports.values():
        assert not answers(f"http://127.0.0.1:{port}/")
