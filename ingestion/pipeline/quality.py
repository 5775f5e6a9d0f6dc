"""The Great Expectations checkpoint on the marts, run after dbt build and before publishing.

GE 1.x validates pandas frames read from DuckDB (its SQL datasources cannot reach DuckDB here),
in an ephemeral context: the suites are code (quality_suites.py), nothing is kept in a GE project
folder. Results are kept where people look: table `quality.ge_results` in the warehouse (and so in
the published snapshot) and JSON under QUALITY_DIR for the dashboards.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

from ingestion.errors import IngestionError
from ingestion.pipeline import config
from ingestion.pipeline.quality_suites import Suite, build_suites
from ingestion.warehouse import connect

log = logging.getLogger(__name__)

RESULTS_DDL = """
create schema if not exists quality;
create table if not exists quality.ge_results (
    run_id       varchar not null,
    run_at       timestamptz not null,
    suite        varchar not null,
    expectation  varchar not null,
    "column"     varchar,
    success      boolean not null,
    critical     boolean not null,
    observed     varchar,
    details      json
);
"""


class QualityCheckFailed(IngestionError):
    """A critical expectation failed: the marts are not fit to publish."""


def check_marts(warehouse=None, run_id: str = "manual", quality_dir=None, project_dir=None) -> dict:
    """Validate the marts; store every result; raise QualityCheckFailed on a critical failure."""
    run_at = datetime.now(UTC)
    suites = build_suites(config.dbt_project_dir(project_dir))
    con = connect(config.warehouse(warehouse))
    try:
        rows, context = [], None
        for suite in suites:
            frame = _read_frame(con, suite)
            if frame is None:
                rows += _missing_table(suite)
                continue
            context = context or _context()
            rows += _validate(context, suite, frame)
        _store(con, run_id, run_at, rows)
    finally:
        con.close()
    summary = _write_json(rows, run_id, run_at, config.quality_dir(quality_dir))
    failed = [r for r in rows if not r["success"] and r["critical"]]
    for r in rows:
        if not r["success"]:
            log.warning(
                "%s %s %s %s: %s",
                "FAILED" if r["critical"] else "warning",
                r["suite"],
                r["expectation"],
                r["column"] or "",
                r["observed"],
            )
    if failed:
        names = ", ".join(f"{r['suite']}.{r['column'] or r['expectation']}" for r in failed[:5])
        raise QualityCheckFailed(
            f"{len(failed)} critical expectation(s) failed on the marts: {names}; "
            f"see quality.ge_results for run {run_id}"
        )
    return summary


def _read_frame(con, suite: Suite):
    query = suite.query or f"select * from marts.{suite.name}"
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = ?"
        " union all select count(*) from duckdb_views() where schema_name = 'marts' and view_name = ?",
        [_base_table(suite), _base_table(suite)],
    ).fetchall()
    if not any(n for (n,) in exists):
        return None
    return con.execute(query).df()


def _base_table(suite: Suite) -> str:
    return "telemonitoring_daily" if suite.query else suite.name


def _missing_table(suite: Suite) -> list[dict]:
    return [_row(suite.name, "table_exists", None, False, suite.required, "missing", {})]


def _validate(context, suite: Suite, frame) -> list[dict]:
    import great_expectations as gx

    batch = (
        context.data_sources.add_pandas(f"marts_{suite.name}")
        .add_dataframe_asset(suite.name)
        .add_batch_definition_whole_dataframe("whole")
    )
    gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name))
    for check in suite.checks:
        expectation_class = getattr(gx.expectations, check.expectation)
        gx_suite.add_expectation(
            expectation_class(**check.kwargs, meta={"critical": check.critical})
        )
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=f"marts_{suite.name}", validation_definitions=[definition], result_format="SUMMARY"
        )
    )
    outcome = checkpoint.run(batch_parameters={"dataframe": frame})
    rows = []
    for validation in outcome.run_results.values():
        for result in validation.results:
            cfg = result.expectation_config
            details = result.result or {}
            rows.append(
                _row(
                    suite.name,
                    cfg.type,
                    cfg.kwargs.get("column"),
                    bool(result.success),
                    bool((cfg.meta or {}).get("critical", True)),
                    _observed(details),
                    details,
                )
            )
    return rows


def _context():
    # GE takes ~10 s to import: only when a check runs, never when a DAG file is parsed.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no network calls from a pipeline run
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _observed(details: dict) -> str:
    if "observed_value" in details:
        return str(details["observed_value"])
    if "unexpected_count" in details:
        sample = details.get("partial_unexpected_list") or []
        return f"{details['unexpected_count']} of {details.get('element_count')} unexpected" + (
            f", e.g. {sample[:3]}" if sample else ""
        )
    return ""


def _row(suite, expectation, column, success, critical, observed, details) -> dict:
    return {
        "suite": suite,
        "expectation": expectation,
        "column": column,
        "success": success,
        "critical": critical,
        "observed": observed,
        "details": json.dumps(details, default=str, sort_keys=True),
    }


def _store(con, run_id: str, run_at: datetime, rows: list[dict]) -> None:
    con.execute(RESULTS_DDL)
    con.execute("begin")
    # Re-running a check for the same run replaces its results: the task is idempotent.
    con.execute("delete from quality.ge_results where run_id = ?", [run_id])
    con.executemany(
        "insert into quality.ge_results values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                run_id,
                run_at,
                r["suite"],
                r["expectation"],
                r["column"],
                r["success"],
                r["critical"],
                r["observed"],
                r["details"],
            ]
            for r in rows
        ],
    )
    con.execute("commit")


def _write_json(rows: list[dict], run_id: str, run_at: datetime, folder) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    summary = {
        "run_id": run_id,
        "run_at": run_at.isoformat(),
        "success": all(r["success"] or not r["critical"] for r in rows),
        "evaluated": len(rows),
        "failed": sum(not r["success"] for r in rows),
        "results": [{**r, "details": json.loads(r["details"])} for r in rows],
    }
    stamp = run_at.strftime("%Y%m%dT%H%M%SZ")
    body = json.dumps(summary, indent=2, default=str)
    (folder / f"ge-{stamp}.json").write_text(body)
    tmp = folder / ".latest.json.tmp"
    tmp.write_text(body)
    os.replace(tmp, folder / "latest.json")  # the dashboards never see a half-written file
    return {k: summary[k] for k in ("run_id", "success", "evaluated", "failed")}
