"""dbt build as a pipeline step: one build, artefacts in the run's folder, failures named clearly."""

from __future__ import annotations

import duckdb
import pytest

from ingestion.errors import IngestionError
from ingestion.pipeline.modelling import DbtBuildFailed, dbt_build

PROFILE = """
tiny:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('WAREHOUSE_PATH') }}"
"""


@pytest.fixture
def tiny_project(tmp_path):
    """A two-model dbt project: `ok` builds, `broken` fails when BREAK is set."""
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: tiny\nversion: '1.0'\nconfig-version: 2\nprofile: tiny\n"
    )
    (project / "profiles.yml").write_text(PROFILE)
    (project / "models" / "ok.sql").write_text("select 1 as n")
    (project / "models" / "broken.sql").write_text(
        "{% if env_var('BREAK', '') %} select * from no_such_table {% else %} select 2 as n {% endif %}"
    )
    warehouse = tmp_path / "wh.duckdb"
    duckdb.connect(str(warehouse)).close()
    return project, warehouse


def test_build_and_failure_are_reported_with_the_run_folder(tiny_project, tmp_path, monkeypatch):
    project, warehouse = tiny_project
    result = dbt_build(
        warehouse,
        run_id="scheduled__2026-01-01T00:00:00+00:00",
        project_dir=project,
        runs_dir=tmp_path / "runs",
    )
    assert result["status_counts"] == {"success": 2}
    run_folder = tmp_path / "runs" / "scheduled__2026-01-01T00_00_00_00_00" / "dbt"
    assert (run_folder / "target" / "run_results.json").is_file() and (run_folder / "logs").is_dir()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select n from ok").fetchall() == [(1,)]

    monkeypatch.setenv("BREAK", "1")
    with pytest.raises(DbtBuildFailed, match=r"model\.tiny\.broken.*no_such_table.*full log"):
        dbt_build(warehouse, run_id="run-2", project_dir=project, runs_dir=tmp_path / "runs")


def test_missing_project_or_warehouse_is_a_clear_error(tmp_path, tiny_project):
    project, _ = tiny_project
    with pytest.raises(IngestionError, match="no dbt project"):
        dbt_build(tmp_path / "wh.duckdb", project_dir=tmp_path / "nowhere")
    with pytest.raises(IngestionError, match="run the ingest step first"):
        dbt_build(tmp_path / "absent.duckdb", project_dir=project)


def test_data_tests_are_scoped_from_the_start_of_the_last_successful_run(tmp_path):
    from datetime import UTC, datetime

    from ingestion.pipeline.modelling import last_successful_run_start
    from ingestion.pipeline.run_log import finish_run, start_run

    warehouse = tmp_path / "wh.duckdb"
    duckdb.connect(str(warehouse)).close()
    assert last_successful_run_start(warehouse) is None  # no run recorded: the whole history
    start_run(warehouse, "run-1", datetime(2026, 3, 1, 6, tzinfo=UTC))
    finish_run(warehouse, "run-1", [])
    start_run(warehouse, "run-2", datetime(2026, 3, 2, 6, tzinfo=UTC))
    finish_run(warehouse, "run-2", [], error=RuntimeError("tests failed"))
    start_run(warehouse, "run-3", datetime(2026, 3, 3, 6, tzinfo=UTC))  # this run, still running
    # the failed run's rows are tested again: the bound is the last successful run's start
    assert last_successful_run_start(warehouse) == datetime(2026, 3, 1, 6, tzinfo=UTC)
