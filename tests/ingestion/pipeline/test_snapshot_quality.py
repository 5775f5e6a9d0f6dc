"""The data-quality page's tables in the published snapshot: load history, quarantine and pipeline
runs, without record content, source files or patient ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pytest

from ingestion.pipeline import run as run_module
from ingestion.pipeline.run_log import finish_run, start_run
from ingestion.pipeline.snapshot import current_snapshot, publish
from ingestion.warehouse import connect

PERSONAL = (
    '{"resourceType": "Patient", "name": [{"family": "Janssens"}], "birthDate": "1961-04-02"}'
)
SOURCE_FILE = "landing/fhir-ndjson/patient-0042-janssens.ndjson"


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    con = connect(path)
    try:
        con.execute(
            "insert into raw.load_log (load_id, source_file, file_sha256, file_kind, patient_id,"
            " started_at, finished_at, status, n_loaded, n_duplicate, n_quarantined, duration_s,"
            " message) values"
            " ('load-1', ?, 'sha-1', 'fhir-ndjson', 'patient-0042', timestamptz '2026-01-02 10:00:00+00',"
            "  timestamptz '2026-01-02 10:00:05+00', 'loaded', 10, 0, 1, 5.0, ''),"
            " ('load-2', 'landing/device-csv/p.csv', 'sha-2', 'device-csv', null,"
            "  timestamptz '2026-01-02 11:00:00+00', timestamptz '2026-01-02 11:00:01+00', 'rejected',"
            "  0, 0, 0, 1.0, 'cannot read landing/device-csv/p.csv')",
            [SOURCE_FILE],
        )
        con.execute(
            "insert into quarantine.records values ('hash-1', 'load-1', ?, 'fhir-ndjson', 3,"
            " 'wrong-resource-type', 'expected Observation, got Patient', ?,"
            " timestamptz '2026-01-02 10:00:04+00')",
            [SOURCE_FILE, PERSONAL],
        )
        con.execute("create schema marts")
        con.execute("create table marts.tiny as select 1 as n")
    finally:
        con.close()
    return path


def _columns(con, table: str) -> list[str]:
    schema, name = table.split(".")
    return [
        c
        for (c,) in con.execute(
            "select column_name from duckdb_columns() where schema_name = ? and table_name = ?"
            " order by column_index",
            [schema, name],
        ).fetchall()
    ]


def test_snapshot_has_the_quality_tables_without_personal_columns(warehouse, tmp_path):
    start_run(warehouse, "run-1", datetime(2026, 1, 2, 9, 0, tzinfo=UTC))
    finish_run(
        warehouse,
        "run-1",
        [{"step": "ingest", "status": "success", "duration_s": 1.0}],
        finished_at=datetime(2026, 1, 2, 9, 1, tzinfo=UTC),
    )
    snapshots = tmp_path / "snapshots"
    publish(warehouse, snapshots)
    snap = current_snapshot(snapshots)
    with duckdb.connect(str(snap.marts), read_only=True) as con:
        assert _columns(con, "quality.quarantine_records") == [
            "load_id", "file_kind", "record_number", "reason_code", "reason", "quarantined_at"
        ]  # fmt: skip
        load_log = _columns(con, "quality.load_log")
        assert {"file_kind", "finished_at", "n_loaded", "status", "started_at"} <= set(load_log)
        runs = _columns(con, "quality.pipeline_runs")
        assert {"run_id", "started_at", "finished_at", "status", "steps"} <= set(runs)
        for table in ("quality.quarantine_records", "quality.load_log", "quality.pipeline_runs"):
            assert not {"content", "source_file", "patient_id"} & set(_columns(con, table))
        assert "message" not in load_log  # load messages can quote file paths
        # Nothing personal anywhere in the snapshot file's quality tables.
        dump = json.dumps(
            [con.execute(f"select * from {t}").fetchall() for t in
             ("quality.quarantine_records", "quality.load_log", "quality.pipeline_runs")],
            default=str,
        )  # fmt: skip
        assert "Janssens" not in dump and "patient-0042" not in dump
        assert not any(
            s in ("raw", "quarantine")
            for (s,) in con.execute("select distinct schema_name from duckdb_tables()").fetchall()
        )
        # The dashboards' own queries (dashboards/data.py) run on these tables.
        by_reason = con.execute(
            "select file_kind, reason_code, count(*) as records, max(quarantined_at) as latest"
            " from quality.quarantine_records group by all order by records desc"
        ).fetchall()
        assert [r[:3] for r in by_reason] == [("fhir-ndjson", "wrong-resource-type", 1)]
        freshness = con.execute(
            "select file_kind as source, max(finished_at) as last_loaded,"
            " sum(n_loaded) as records_loaded, count(*) as files,"
            " count(*) filter (where status = 'rejected') as files_rejected"
            " from quality.load_log group by all order by last_loaded"
        ).fetchall()
        assert [(r[0], r[2], r[4]) for r in freshness] == [
            ("fhir-ndjson", 10, 0),
            ("device-csv", 0, 1),
        ]
        row = con.execute(
            "select run_id, status, steps from quality.pipeline_runs order by started_at desc limit 20"
        ).fetchall()
        assert row[0][:2] == ("run-1", "success")
        assert json.loads(row[0][2])[0]["step"] == "ingest"
    # The warehouse keeps the full records.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select content from quarantine.records").fetchone()[0] == PERSONAL


def test_a_warehouse_table_named_like_a_snapshot_table_is_not_copied_whole(warehouse, tmp_path):
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists quality")
        con.execute("create table quality.quarantine_records as select * from quarantine.records")
    publish(warehouse, tmp_path / "snapshots")
    with duckdb.connect(str(current_snapshot(tmp_path / "snapshots").marts), read_only=True) as con:
        assert "content" not in _columns(con, "quality.quarantine_records")


def test_no_quality_tables_before_anything_was_loaded(tmp_path):
    path = tmp_path / "empty.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create table marts.tiny as select 1 as n")
    publish(path, tmp_path / "snapshots")
    with duckdb.connect(str(current_snapshot(tmp_path / "snapshots").marts), read_only=True) as con:
        tables = con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
    assert tables == [("marts", "tiny")]


def _fake_steps(monkeypatch, fail_at: str | None):
    def step(name, result):
        def run(*args, **kwargs):
            if name == fail_at:
                raise RuntimeError(f"{name} broke on landing/patient-0042.ndjson")
            return result

        return run

    monkeypatch.setattr(run_module, "ingest", step("ingest", {}))
    monkeypatch.setattr(run_module, "describe", lambda r: "")
    monkeypatch.setattr(run_module, "dbt_build", step("dbt build", {"status_counts": {}}))
    monkeypatch.setattr(
        run_module, "check_marts", step("quality checks", {"evaluated": 0, "failed": 0})
    )


def _runs(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select run_id, status, finished_at is not null, message, steps"
            " from quality.pipeline_runs order by started_at"
        ).fetchall()


def test_run_pipeline_records_a_failed_run(warehouse, tmp_path, monkeypatch):
    _fake_steps(monkeypatch, fail_at="dbt build")
    (tmp_path / "landing").mkdir()
    with pytest.raises(RuntimeError):
        run_module.run_pipeline(
            tmp_path / "landing", warehouse, tmp_path / "snapshots", run_id="r-fail",
            progress=lambda _: None,
        )  # fmt: skip
    [(run_id, status, finished, message, steps)] = _runs(warehouse)
    assert (run_id, status, finished) == ("r-fail", "failed", True)
    assert message == "dbt build failed: RuntimeError"  # no error text: it may quote a path
    assert [(s["step"], s["status"]) for s in json.loads(steps)] == [
        ("ingest", "success"),
        ("dbt build", "failed"),
    ]
    assert not (tmp_path / "snapshots" / "CURRENT").exists()


def test_run_pipeline_records_a_successful_run_in_the_snapshot_it_publishes(
    warehouse, tmp_path, monkeypatch
):
    _fake_steps(monkeypatch, fail_at=None)
    (tmp_path / "landing").mkdir()
    run_module.run_pipeline(
        tmp_path / "landing", warehouse, tmp_path / "snapshots", run_id="r-ok",
        progress=lambda _: None,
    )  # fmt: skip
    [(run_id, status, finished, message, steps)] = _runs(warehouse)
    assert (run_id, status, finished, message) == ("r-ok", "success", True, None)
    assert [s["step"] for s in json.loads(steps)] == [
        "ingest", "dbt build", "quality checks", "publish"
    ]  # fmt: skip
    with duckdb.connect(str(current_snapshot(tmp_path / "snapshots").marts), read_only=True) as con:
        assert con.execute("select run_id, status from quality.pipeline_runs").fetchall() == [
            ("r-ok", "success")
        ]


def test_steps_recorded_one_process_at_a_time_keep_failed_tries(warehouse):
    """Airflow runs each step as its own task: the record grows a step at a time, and a retry
    that succeeds after a failed try leaves both in the record and the run running again."""
    from ingestion.pipeline.run_log import record_step, recorded_steps

    record_step(warehouse, "scheduled__1", {"step": "dbt build", "status": "failed", "duration_s": 1.0},
                error=TimeoutError("warehouse locked by /data/x"))  # fmt: skip
    [(_, status, finished, message, _)] = _runs(warehouse)
    assert (status, finished, message) == ("failed", True, "dbt build failed: TimeoutError")

    record_step(warehouse, "scheduled__1", {"step": "dbt build", "status": "success", "duration_s": 2.0})
    record_step(warehouse, "scheduled__1", {"step": "quality checks", "status": "success", "duration_s": 3.0})
    [(_, status, finished, message, _)] = _runs(warehouse)
    assert (status, finished, message) == ("running", False, None)
    steps = recorded_steps(warehouse, "scheduled__1")
    assert [(s["step"], s["status"]) for s in steps] == [
        ("dbt build", "failed"), ("dbt build", "success"), ("quality checks", "success")
    ]  # fmt: skip
    finish_run(warehouse, "scheduled__1", [*steps, {"step": "publish", "status": "running"}])
    record_step(warehouse, "scheduled__1", {"step": "publish", "status": "success", "duration_s": 1.0})
    assert [(s["step"], s["status"]) for s in recorded_steps(warehouse, "scheduled__1")][-2:] == [
        ("quality checks", "success"), ("publish", "success")]  # the placeholder is replaced
    finish_run(warehouse, "scheduled__1", recorded_steps(warehouse, "scheduled__1"))
    assert _runs(warehouse)[0][1:3] == ("success", True)
    assert recorded_steps(warehouse, "no-such-run") == []
