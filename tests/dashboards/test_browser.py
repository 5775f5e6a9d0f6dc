"""A real browser (headless Chromium) against `streamlit run`: the worklist and the patient view
render, and their screenshots are kept in reports/screenshots/ for people to look at."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import CLINICIAN, PASSWORD, REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO_ROOT / "reports" / "screenshots"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (make browser)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard_url(snapshot_dir, stub_backend, tmp_path_factory):
    port = _free_port()
    env = {**os.environ, "SNAPSHOT_DIR": str(snapshot_dir), "BACKEND_URL": stub_backend.url,
           "PYTHONPATH": str(REPO_ROOT)}  # fmt: skip
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "dashboards" / "app.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail(f"streamlit did not start: {log.read_text()[-2000:]}")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_worklist_and_patient_view_screenshots(dashboard_url):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])  # fmt: skip
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        # A Streamlit script's first run on a busy 2-core machine can take far longer than
        # Playwright's 30 s default; what is asserted is that the page renders, not how fast.
        page.set_default_timeout(120_000)
        page.goto(dashboard_url, wait_until="domcontentloaded")
        page.get_by_role("textbox", name="Email").fill(CLINICIAN)
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Alert worklist").wait_for(timeout=120_000)
        page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=120_000)
        page.wait_for_timeout(1500)  # let the grid paint
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(SHOTS / "worklist.png"), full_page=True)

        # Streamlit scrolls inside its own container, so a tall window captures the whole page.
        page.set_viewport_size({"width": 1440, "height": 2900})
        page.get_by_role("link", name="Patient view").click()
        page.get_by_role("heading", name="Telemonitoring").wait_for(timeout=120_000)
        page.locator("[data-testid='stVegaLiteChart']").nth(6).wait_for(timeout=120_000)
        page.wait_for_timeout(2500)  # charts render asynchronously
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(SHOTS / "patient_view.png"), full_page=True)
        browser.close()
    for name in ("worklist.png", "patient_view.png"):
        assert (SHOTS / name).stat().st_size > 20_000
