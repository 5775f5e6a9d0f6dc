"""An incremental `dbt build` after new data gives the marts a full rebuild of the same data gives.

A small synthetic cohort is loaded once. Warehouse A is built without its last day and without five
earlier days of one patient's readings (a device gap, so a NO-DATA alert), then those rows arrive
and A is built again, incrementally: a new day at the horizon, plus late data inside the alert
frame's look-back that closes the gap. Warehouse B holds the same rows and is built once, in full.
prom_scores, telemonitoring_daily, the alert findings and episodes, and the alerts mart must match
row for row.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from dbt_cli import dbt

pytestmark = pytest.mark.slow

COMPARED = {
    "marts.prom_scores": [],
    "marts.telemonitoring_daily": [],
    "marts.alerts": [],
    "intermediate.int_alert_episodes": [],
    # the watermark column records when a row was built, not what it says
    "intermediate.int_alert_findings": ["source_loaded_at"],
}

# The last day at the horizon and days -12..-8 of one device-wearing patient are held back.
HOLD_BACK_SQL = """
create schema held;
create table held.late_patient as
    select patient_id from raw.device_observations group by patient_id order by count(*) desc, patient_id limit 1;
create table held.days as
    select max(cast(effective_start as date)) as last_day from raw.device_observations;
create table held.devices as
    select * from raw.device_observations, held.days
    where cast(effective_start as date) >= last_day
       or (patient_id in (select patient_id from held.late_patient)
           and cast(effective_start as date) between last_day - 12 and last_day - 8);
create table held.fhir as
    select * from raw.fhir_resources, held.days
    where resource_type in ('Observation', 'QuestionnaireResponse')
      and (cast(left(coalesce(resource->>'$.effectiveDateTime', resource->>'$.authored'), 10) as date) >= last_day
           or (patient_id in (select patient_id from held.late_patient)
               and cast(left(coalesce(resource->>'$.effectiveDateTime', resource->>'$.authored'), 10) as date)
                   between last_day - 12 and last_day - 8));
delete from raw.device_observations where content_hash in (select content_hash from held.devices);
delete from raw.fhir_resources where content_hash in (select content_hash from held.fhir);
"""

# Released rows get one fixed, later load time in both warehouses.
RELEASE_SQL = """
insert into raw.device_observations
    select * exclude (last_day) replace (timestamptz '2099-01-01 00:00:00+00' as loaded_at) from held.devices;
insert into raw.fhir_resources
    select * exclude (last_day) replace (timestamptz '2099-01-01 00:00:00+00' as loaded_at) from held.fhir;
drop schema held cascade;
"""

BUILD = ["build", "--exclude", "test_type:unit"]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("incremental")
    cohort, warehouse = work / "cohort", work / "loaded.duckdb"
    for args in (
        ["synth", "--patients", "6", "--days", "70", "--seed", "3", "--out", str(cohort), "--no-app-content", "--quiet"],
        ["load", str(cohort / "fhir"), str(cohort / "devices"), "--warehouse", str(warehouse)],
    ):
        done = subprocess.run([sys.executable, "-m", "ingestion", *args], capture_output=True, text=True, timeout=600,
                              check=False)
        assert done.returncode == 0, done.stderr[-2000:]
    return warehouse


def build(warehouse: Path, work: Path, *sql_before: str) -> None:
    for sql in sql_before:
        with duckdb.connect(str(warehouse)) as con:
            con.execute(sql)
    result = dbt(BUILD, warehouse, work)
    assert result.returncode == 0, result.stdout[-4000:]


def comparable_columns(con, table: str, excluded: list[str]) -> str:
    """The table's columns, doubles rounded: a parallel sum adds in any order (last-bit noise)."""
    schema, name = table.split(".")
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name]).fetchall()
    return ", ".join(f"round({column}, 9) as {column}" if kind == "DOUBLE" else column
                     for column, kind in columns if column not in excluded)


def assert_same_marts(incremental: Path, full: Path) -> None:
    """Every compared table holds the same rows in both warehouses."""
    with duckdb.connect(str(incremental), read_only=True) as con:
        con.execute(f"attach '{full}' as full_build (read_only)")
        for table, excluded in COMPARED.items():
            columns = comparable_columns(con, table, excluded)
            rows = con.execute(f"select count(*) from {table}").fetchone()[0]
            only_incremental = con.execute(
                f"select count(*) from (select {columns} from {table} except all "
                f"select {columns} from full_build.{table})").fetchone()[0]
            only_full = con.execute(
                f"select count(*) from (select {columns} from full_build.{table} except all "
                f"select {columns} from {table})").fetchone()[0]
            assert (only_incremental, only_full) == (0, 0), f"{table}: {rows} rows, differing {only_incremental}/{only_full}"


def test_incremental_build_after_new_and_late_data_equals_a_full_rebuild(loaded, tmp_path):
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    shutil.copyfile(loaded, incremental)
    shutil.copyfile(loaded, full)
    build(incremental, tmp_path / "a", HOLD_BACK_SQL)
    with duckdb.connect(str(incremental), read_only=True) as con:
        first_alert_ids = {row[0] for row in con.execute("select alert_id from marts.alerts").fetchall()}
    build(incremental, tmp_path / "a", RELEASE_SQL)
    build(full, tmp_path / "b", HOLD_BACK_SQL, RELEASE_SQL)

    assert_same_marts(incremental, full)
    with duckdb.connect(str(incremental), read_only=True) as con:
        final_alert_ids = {row[0] for row in con.execute("select alert_id from marts.alerts").fetchall()}
    # the held-back rows mattered: the late days closed the device gap's NO-DATA alert
    assert first_alert_ids - final_alert_ids, "no alert of the first build was replaced"


def new_version_sql(warehouse: Path, changes: dict, loaded_at: str) -> str:
    """SQL inserting a new version of the first PHQ-9 response in raw: its resource with `changes`
    applied (an `item` of None removes the answers), meta.lastUpdated at `loaded_at`."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "select resource_id, patient_id, resource from raw.fhir_resources "
            "where resource_type = 'QuestionnaireResponse' and resource->>'questionnaire' like '%/phq-9' "
            "order by last_updated nulls first, resource_id limit 1").fetchone()
    response_id, patient_id, resource = row[0], row[1], json.loads(row[2])
    version = {**{key: value for key, value in resource.items() if key not in changes},
               **{key: value for key, value in changes.items() if value is not None},
               "meta": {"versionId": changes["status"], "lastUpdated": loaded_at}}
    text = json.dumps(version, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()
    return (
        "insert into raw.fhir_resources (content_hash, resource_type, resource_id, version_key, last_updated, "
        "patient_id, source_kind, source_file, load_id, loaded_at, resource) values "
        f"('{digest}', 'QuestionnaireResponse', '{response_id}', '{changes['status']}', timestamptz '{loaded_at}', "
        f"'{patient_id}', 'fhir-ndjson', 'resent.ndjson', 'resent-{changes['status']}', timestamptz '{loaded_at}', "
        f"'{text}')")


def phq9_item9_state(warehouse: Path) -> tuple[int, int]:
    """PHQ-9 item 9 > 0 in prom_scores, and PHQ9-ITEM9 alerts: (responses, alerts)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return (con.execute("select count(*) from marts.prom_scores where item9_value > 0").fetchone()[0],
                con.execute("select count(*) from marts.alerts where rule_id = 'PHQ9-ITEM9'").fetchone()[0])


def test_amended_then_withdrawn_response_is_rescored_then_removed_incrementally(loaded, tmp_path):
    """A PHQ-9 response amended to item 9 > 0 raises PHQ9-ITEM9 on the next incremental build; re-sent
    as entered-in-error (without its answers) its scores and alert go. Each step equals a full build."""
    incremental = tmp_path / "incremental.duckdb"
    shutil.copyfile(loaded, incremental)
    build(incremental, tmp_path / "a")
    before = phq9_item9_state(incremental)
    with duckdb.connect(str(incremental), read_only=True) as con:
        item9 = [item for item in json.loads(con.execute(
            "select resource from raw.fhir_resources where resource_type = 'QuestionnaireResponse' "
            "and resource->>'questionnaire' like '%/phq-9' order by resource_id limit 1").fetchone()[0])["item"]]
    for item in item9:
        if item["linkId"] == "phq9-9":
            item["answer"] = [{"valueInteger": 2}]
    amend = new_version_sql(incremental, {"status": "amended", "item": item9}, "2099-01-01 00:00:00+00")
    withdraw = new_version_sql(incremental, {"status": "entered-in-error", "item": None}, "2099-01-02 00:00:00+00")

    for step, sql_before in enumerate(([amend], [amend, withdraw])):
        build(incremental, tmp_path / "a", sql_before[-1])
        full = tmp_path / f"full-{step}.duckdb"
        shutil.copyfile(loaded, full)
        build(full, tmp_path / f"b{step}", *sql_before)
        assert_same_marts(incremental, full)
        responses, alerts = phq9_item9_state(incremental)
        if step == 0:
            assert (responses, alerts) == (before[0] + 1, before[1] + 1), "the amended item 9 was not scored and alerted"
        else:
            assert (responses, alerts) == before, "the withdrawn response kept its scores or its alert"
