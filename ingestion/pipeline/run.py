"""One full pipeline run, in the order the Airflow DAGs run it: ingest, dbt build, quality
checks, publish. `make pipeline` runs this; Airflow runs the same functions as separate tasks."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from ingestion.errors import IngestionError
from ingestion.pipeline import config
from ingestion.pipeline.ingest import describe, ingest
from ingestion.pipeline.modelling import dbt_build
from ingestion.pipeline.quality import check_marts
from ingestion.pipeline.run_log import finish_run, start_run, step_entry
from ingestion.pipeline.snapshot import publish

log = logging.getLogger(__name__)


def run_pipeline(
    landing_dir=None, warehouse=None, snapshot_dir=None, run_id=None, progress=print
) -> dict:
    """Run every step once; the first failing step raises (later steps do not run).

    The run is recorded in quality.pipeline_runs: running at the start, success just before the
    publish step (so the snapshot shows the run that published it), and finally success or
    failed, with the steps that ran."""
    landing = config.landing_dir(landing_dir)
    if not landing.is_dir():
        raise IngestionError(
            f"landing folder {landing} does not exist: generate a cohort with "
            f"`python -m ingestion synth --patients 20 --days 90 --out {landing}` or set LANDING_DIR"
        )
    run_id = run_id or "manual__" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    steps = [
        ("ingest", lambda: ingest(landing_dir, warehouse), describe),
        (
            "dbt build",
            lambda: dbt_build(warehouse, run_id=run_id),
            lambda r: ", ".join(f"{n} {s}" for s, n in sorted(r["status_counts"].items())),
        ),
        (
            "quality checks",
            lambda: check_marts(warehouse, run_id=run_id),
            lambda r: f"{r['evaluated']} expectations, {r['failed']} failed (none critical)",
        ),
        ("publish", lambda: publish(warehouse, snapshot_dir), lambda r: f"snapshot {r['marts']}"),
    ]
    results = {"run_id": run_id}
    start_run(warehouse, run_id)
    done: list[dict] = []
    try:
        for number, (name, step, summarise) in enumerate(steps, start=1):
            progress(f"[{number}/{len(steps)}] {name} ...")
            started = time.monotonic()
            if name == "publish":
                # Recorded before publishing so the snapshot includes this run; publish only reads
                # the warehouse. Should publishing fail, the record is updated to failed below.
                finish_run(warehouse, run_id, [*done, {"step": name, "status": "running"}])
            try:
                results[name] = step()
            except BaseException:
                done.append(step_entry(name, "failed", started))
                raise
            done.append(step_entry(name, "success", started))
            progress(
                f"[{number}/{len(steps)}] {name} done in {time.monotonic() - started:.1f}s: "
                f"{summarise(results[name])}"
            )
    except BaseException as exc:
        try:
            finish_run(warehouse, run_id, done, error=exc)
        except Exception:  # never hide the step's own error behind the bookkeeping's
            log.exception("could not record the failure of run %s", run_id)
        raise
    finish_run(warehouse, run_id, done)
    return results

