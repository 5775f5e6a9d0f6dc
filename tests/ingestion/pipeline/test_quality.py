"""The Great Expectations checkpoint on the marts: results kept in the warehouse and as JSON,
critical failures stop the run."""

from __future__ import annotations

import json

import duckdb
import pytest

from ingestion.pipeline.quality import QualityCheckFailed, check_marts

BAD_MARTS = """
insert into marts.prom_scores values ('pk-3', 'phq-9', 'total', 120.0, now(), 'qr-9');
insert into marts.alerts values ('a-2', 'pk-3', 'NOT-A-RULE', 1, 'medium', now(), '{}', 'open');
insert into marts.telemonitoring_daily values ('pk-3', date '2026-01-04', 'heart_rate', 80, 'bpm');
"""


def results(warehouse, run_id):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            'select suite, expectation, "column", success, critical, observed from quality.ge_results'
            " where run_id = ? order by all",
            [run_id],
        ).fetchall()


def test_good_marts_pass_and_every_result_is_kept(tmp_path, marts_warehouse):
    warehouse = marts_warehouse
    summary = check_marts(warehouse, run_id="run-good", quality_dir=tmp_path / "quality")
    assert summary["success"] and summary["failed"] == 0 and summary["evaluated"] >= 15
    rows = results(warehouse, "run-good")
    assert len(rows) == summary["evaluated"] and all(r[3] for r in rows)
    assert {r[0] for r in rows} == {
        "prom_scores",
        "alerts",
        "telemonitoring_daily",
        "telemonitoring_units",
    }
    latest = json.loads((tmp_path / "quality" / "latest.json").read_text())
    assert latest["run_id"] == "run-good" and latest["success"]

    # Re-running the same run replaces its results instead of adding to them.
    check_marts(warehouse, run_id="run-good", quality_dir=tmp_path / "quality")
    assert len(results(warehouse, "run-good")) == len(rows)


def test_critical_failures_fail_the_run_after_recording_them(tmp_path, make_marts_warehouse):
    warehouse = make_marts_warehouse(BAD_MARTS)
    with pytest.raises(QualityCheckFailed, match="critical expectation"):
        check_marts(warehouse, run_id="run-bad", quality_dir=tmp_path / "quality")
    failed = {
        (suite, column) for suite, _, column, ok, _, _ in results(warehouse, "run-bad") if not ok
    }
    assert {
        ("prom_scores", "score"),
        ("alerts", "rule_id"),
        ("telemonitoring_daily", None),
    } <= failed
    score = next(r for r in results(warehouse, "run-bad") if r[2] == "score")
    assert "1 of 4 unexpected" in score[5] and "120" in score[5]
    assert not json.loads((tmp_path / "quality" / "latest.json").read_text())["success"]


def test_a_missing_required_mart_is_a_critical_failure(tmp_path, make_marts_warehouse):
    warehouse = make_marts_warehouse("drop table marts.telemonitoring_daily;")
    with pytest.raises(QualityCheckFailed, match="telemonitoring_daily"):
        check_marts(warehouse, run_id="run-missing", quality_dir=tmp_path / "quality")
