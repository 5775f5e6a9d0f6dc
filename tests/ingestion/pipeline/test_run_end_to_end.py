"""`python -m ingestion.pipeline run` (what `make pipeline` calls) on a small synthetic cohort."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import duckdb
import pytest

from ingestion.pipeline.ingest import ingest
from ingestion.pipeline.snapshot import current_snapshot
from tests.pipeline_stores import synth_cohort

needs_loader = pytest.mark.skipif(
    importlib.util.find_spec("ingestion.load") is None,
    reason="ingestion.load (the loaders) is not in the tree yet",
)


def pipeline(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "ingestion.pipeline", "run", *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=600, check=False,
    )  # fmt: skip


@needs_loader
@pytest.mark.slow
def test_one_full_run_lands_models_checks_and_publishes(tmp_path):
    landing, warehouse, snapshots = (
        tmp_path / "landing",
        tmp_path / "wh.duckdb",
        tmp_path / "snapshots",
    )
    synth_cohort(landing, patients=4, days=21, seed=5)
    env = {"QUALITY_DIR": str(tmp_path / "quality"), "PIPELINE_RUNS_DIR": str(tmp_path / "runs")}

    run = pipeline(
        "--landing",
        str(landing),
        "--warehouse",
        str(warehouse),
        "--snapshots",
        str(snapshots),
        env=env,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert "[4/4] publish done" in run.stdout
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.fhir_resources").fetchone()[0] > 0
        assert con.execute("select count(*) from raw.device_observations").fetchone()[0] > 0
        assert con.execute(
            "select bool_and(success or not critical) from quality.ge_results"
        ).fetchone()[0]
    with duckdb.connect(str(current_snapshot(snapshots).marts), read_only=True) as con:
        for mart in ("prom_scores", "telemonitoring_daily"):
            assert con.execute(f"select count(*) from marts.{mart}").fetchone()[0] > 0, mart
    assert (tmp_path / "quality" / "latest.json").is_file()

    # Running again loads nothing twice.
    again = ingest(landing, warehouse)
    assert sum(kind["loaded"] for kind in again.values()) == 0
    assert sum(kind["duplicates"] for kind in again.values()) > 0


def test_errors_are_one_clear_line(tmp_path):
    run = pipeline(
        "--landing", str(tmp_path / "absent"), "--warehouse", str(tmp_path / "wh.duckdb")
    )
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0
    assert (
        run.stderr.startswith("error: landing folder") and "python -m ingestion synth" in run.stderr
    )
