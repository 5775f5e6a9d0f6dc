"""A small synthetic cohort and the pipeline's stores in a test's tmp folder, for the tests that
run the pipeline for real (through `make pipeline`'s code, Airflow or a Celery worker)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def synth_cohort(landing: Path, patients: int, days: int, seed: int) -> Path:
    """Generate a cohort (no app content) into `landing`; fail the test with the generator's error."""
    synth = subprocess.run(
        [sys.executable, "-m", "ingestion", "synth", "--patients", str(patients), "--days", str(days),
         "--seed", str(seed), "--out", str(landing), "--no-app-content", "--quiet"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert synth.returncode == 0, synth.stderr
    return landing


def pipeline_stores(tmp_path: Path, landing: Path) -> dict:
    """The environment that points every pipeline store into tmp_path."""
    return {
        "LANDING_DIR": str(landing),
        "WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
        "SNAPSHOT_DIR": str(tmp_path / "snapshots"),
        "QUALITY_DIR": str(tmp_path / "quality"),
        "PIPELINE_RUNS_DIR": str(tmp_path / "runs"),
    }
