"""Start long-running services each in its own process group, and stop every one of them.

Each service gets its own session (and so process group): Ctrl-C in the terminal reaches only the
launcher, which then stops the groups in order, and a service's own children (uvicorn workers,
Airflow's executor processes) go with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Service:
    name: str
    command: list[str]
    url: str | None = None  # answered with HTTP once the service is up
    env: dict = field(default_factory=dict)
    process: subprocess.Popen | None = None


class Supervisor:
    def __init__(self, log_dir: Path, cwd: Path):
        self.log_dir, self.cwd = log_dir, cwd
        self.services: list[Service] = []
        log_dir.mkdir(parents=True, exist_ok=True)

    def start(self, service: Service) -> Service:
        log = open(self.log_dir / f"{service.name}.log", "ab")  # noqa: SIM115 - lives as long as the child
        service.process = subprocess.Popen(
            service.command, cwd=self.cwd, env={**os.environ, **service.env},
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.services.append(service)
        return service

    def process_groups(self) -> list[int]:
        return [s.process.pid for s in self.services if s.process]

    def wait_until_up(self, service: Service, timeout: float) -> None:
        """Wait for the service's URL to answer; raise with its log's tail if it dies or times out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                raise RuntimeError(
                    f"{service.name} exited ({service.process.returncode}): {self.tail(service)}"
                )
            if answers_http(service.url):
                return
            time.sleep(0.5)
        raise RuntimeError(
            f"{service.name} did not answer {service.url} within {timeout:.0f}s: {self.tail(service)}"
        )

    def first_exited(self) -> Service | None:
        return next((s for s in self.services if s.process.poll() is not None), None)

    def tail(self, service: Service, lines: int = 5) -> str:
        text = (self.log_dir / f"{service.name}.log").read_text(errors="replace").splitlines()
        return " | ".join(text[-lines:]) or "(no output)"

    def stop_all(self, grace: float = 20.0) -> None:
        """SIGTERM every group (newest first), then SIGKILL what is left after the grace period."""
        for service in reversed(self.services):
            _signal_group(service.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for service in reversed(self.services):
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for service in self.services:
            # The group leader may be gone while its children linger: kill the group regardless.
            _signal_group(service.process.pid, signal.SIGKILL)
            if service.process.poll() is None:
                service.process.wait(timeout=5)
        # SIGKILL is delivered asynchronously: return only once no live process is left in any
        # group (orphans that died but wait for init to reap them are zombies, not processes).
        groups = set(self.process_groups())
        deadline = time.monotonic() + 10
        while (left := live_in_groups(groups)) and time.monotonic() < deadline:
            for pgid in {pgid for _pid, pgid in left}:
                _signal_group(pgid, signal.SIGKILL)
            time.sleep(0.1)


def live_in_groups(groups: set[int]) -> list[tuple[int, int]]:
    """(pid, pgid) of every process in one of `groups` that is not a zombie, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # Fields after the command name (which may hold spaces) : state ppid pgrp ...
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) in groups and state not in ("Z", "X"):
            found.append((int(entry.name), int(pgrp)))
    return found


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def answers_http(url: str | None) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer (even 401/404) means the server is up
    except (OSError, ValueError):
        return False
