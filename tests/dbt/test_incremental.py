"""An incremental `dbt build` after new data gives the marts a full rebuild of the same data gives.

A small synthetic cohort is loaded once. Warehouse A is built without its last day and without five
earlier days of one patient's readings (a device gap, so a NO-DATA alert), then those rows arrive
and A is built again, incrementally: a new day at the horizon, plus late data inside the alert
frame's look-back that closes the gap. Warehouse B holds the same rows and is built once, in full.
prom_scores, telemonitoring_daily, the alert findings and episodes, the alerts mart and the OMOP
tables must match row for row.
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
    "omop.person": [],
    "omop.observation_period": [],
    "omop.measurement": [],
    "omop.observation": [],
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


def first_resource(warehouse: Path, resource_type: str, where: str, order: str = "resource_id") -> dict:
    """The first stored version of a raw FHIR resource matching `where`."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return json.loads(con.execute(
            f"select resource from raw.fhir_resources where resource_type = '{resource_type}' and {where} "
            f"order by {order} limit 1").fetchone()[0])


def new_version_sql(resource: dict, changes: dict, loaded_at: str) -> str:
    """SQL inserting a new version of `resource` into raw: `changes` applied (a value of None removes
    the element), meta.lastUpdated and the load time at `loaded_at`."""
    version = {**{key: value for key, value in resource.items() if key not in changes},
               **{key: value for key, value in changes.items() if value is not None},
               "meta": {"versionId": changes["status"], "lastUpdated": loaded_at}}
    return raw_insert_sql(version, resource["subject"]["reference"].removeprefix("Patient/"), loaded_at)


def raw_insert_sql(resource: dict, patient_id: str, loaded_at: str) -> str:
    """SQL inserting one FHIR resource version (meta.versionId, loaded at `loaded_at`) into raw."""
    text = json.dumps(resource, separators=(",", ":"))
    digest = hashlib.md5(text.encode()).hexdigest()  # the loader: md5 of the canonical JSON
    version = resource["meta"]["versionId"]
    return (
        "insert into raw.fhir_resources (content_hash, resource_type, resource_id, version_key, last_updated, "
        "patient_id, source_kind, source_file, load_id, loaded_at, resource) values "
        f"('{digest}', '{resource['resourceType']}', '{resource['id']}', '{version}', "
        f"timestamptz '{loaded_at}', '{patient_id}', 'fhir-ndjson', 'resent.ndjson', 'resent-{version}', "
        f"timestamptz '{loaded_at}', '{text}');")


def phq9_item9_state(warehouse: Path) -> tuple[int, int]:
    """PHQ-9 item 9 > 0 in prom_scores, and PHQ9-ITEM9 alerts: (responses, alerts)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return (con.execute("select count(*) from marts.prom_scores where item9_value > 0").fetchone()[0],
                con.execute("select count(*) from marts.alerts where rule_id = 'PHQ9-ITEM9'").fetchone()[0])


def incremental_steps(loaded: Path, tmp_path: Path, corrections: list[str]):
    """Builds a copy of `loaded`, then rebuilds it incrementally after each correction (SQL on raw),
    checking it against a full build of the same raw data each time; yields the warehouse after the
    first build and after each step."""
    incremental = tmp_path / "incremental.duckdb"
    shutil.copyfile(loaded, incremental)
    build(incremental, tmp_path / "a")
    yield incremental
    for step, correction in enumerate(corrections, start=1):
        build(incremental, tmp_path / "a", correction)
        full = tmp_path / f"full-{step}.duckdb"
        shutil.copyfile(loaded, full)
        build(full, tmp_path / f"b{step}", *corrections[:step])
        assert_same_marts(incremental, full)
        yield incremental


def test_amended_then_withdrawn_response_is_rescored_then_removed_incrementally(loaded, tmp_path):
    """A PHQ-9 response amended to item 9 > 0 raises PHQ9-ITEM9 on the next incremental build; re-sent
    as entered-in-error (without its answers) its scores and alert go. Each step equals a full build."""
    response = first_resource(loaded, "QuestionnaireResponse", "resource->>'questionnaire' like '%/phq-9'")
    items = [{**item, "answer": [{"valueInteger": 2}]} if item["linkId"] == "phq9-9" else item
             for item in response["item"]]
    amend = new_version_sql(response, {"status": "amended", "item": items}, "2099-01-01 00:00:00+00")
    withdraw = new_version_sql(response, {"status": "entered-in-error", "item": None}, "2099-01-02 00:00:00+00")

    before, amended, withdrawn = map(phq9_item9_state, incremental_steps(loaded, tmp_path, [amend, withdraw]))
    assert amended == (before[0] + 1, before[1] + 1), "the amended item 9 was not scored and alerted"
    assert withdrawn == before, "the withdrawn response kept its scores or its alert"


def fever_findings(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select count(*) from intermediate.int_alert_findings where rule_id = 'FEVER'").fetchone()[0]


def test_corrected_then_withdrawn_observations_change_days_and_alerts_incrementally(loaded, tmp_path):
    """A temperature corrected to 39.2 Cel adds a FEVER finding on the next incremental build; re-sent as
    entered-in-error it goes, as does a blood-pressure panel re-sent entered-in-error without its
    components (its readings become withdrawn). Each step equals a full build of the same raw data."""
    temperature = first_resource(loaded, "Observation", "resource->>'$.code.coding[0].code' = '8310-5'",
                                 order="cast(resource->>'$.valueQuantity.value' as double), resource_id")
    panel = first_resource(loaded, "Observation", "resource->>'$.code.coding[0].code' = '85354-9'")
    fever = new_version_sql(
        temperature, {"status": "amended", "valueQuantity": {**temperature["valueQuantity"], "value": 39.2}},
        "2099-01-01 00:00:00+00")
    withdraw = (new_version_sql(temperature, {"status": "entered-in-error"}, "2099-01-02 00:00:00+00")
                + new_version_sql(panel, {"status": "entered-in-error", "component": None}, "2099-01-02 00:00:00+00"))

    findings = [fever_findings(warehouse) for warehouse in incremental_steps(loaded, tmp_path, [fever, withdraw])]
    assert findings == [findings[0], findings[0] + 1, findings[0]], "FEVER findings before, corrected, withdrawn"
    with duckdb.connect(str(tmp_path / "incremental.duckdb"), read_only=True) as con:
        reasons = con.execute(
            "select reading_id, rejection_reason from intermediate.int_telemonitoring_readings_normalised "
            "where reading_id like ? or reading_id = ? order by reading_id",
            [f"fhir:{panel['id']}:%", f"fhir:{temperature['id']}"]).fetchall()
    assert [reason for _, reason in reasons] == ["withdrawn"] * 3, reasons


def consent_sql(patient_id: str, status: str, loaded_at: str) -> str:
    """SQL inserting a version of one research-use Consent of the patient: an objection (active deny),
    withdrawn when `status` is inactive."""
    consent = {"resourceType": "Consent", "id": f"research-{patient_id}",
               "meta": {"versionId": status, "lastUpdated": loaded_at}, "status": status,
               "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "research"}]},
               "patient": {"reference": f"Patient/{patient_id}"}, "dateTime": loaded_at, "provision": {"type": "deny"}}
    return raw_insert_sql(consent, patient_id, loaded_at)


def omop_footprint(warehouse: Path, patient_id: str) -> dict[str, int]:
    """The patient's rows in each OMOP table."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        key = con.execute("select patient_key from intermediate.int_patient_keys where patient_id = ?",
                          [patient_id]).fetchone()[0]
        return {table: con.execute(f"select count(*) from omop.{table} where person_id = ?",
                                   [int(key[:15], 16)]).fetchone()[0]  # the omop_id macro
                for table in ("person", "observation_period", "measurement", "observation")}


def test_research_objection_then_its_withdrawal_remove_then_restore_omop_rows_incrementally(loaded, tmp_path):
    """A patient objecting to research use leaves every OMOP table on the next incremental build, and
    comes back whole when the objection is withdrawn. Each step equals a full build."""
    with duckdb.connect(str(loaded), read_only=True) as con:
        patient_id = con.execute(
            "select patient_id from raw.device_observations intersect "
            "select patient_id from raw.fhir_resources where resource_type = 'QuestionnaireResponse' "
            "order by 1 limit 1").fetchone()[0]
    object_ = consent_sql(patient_id, "active", "2099-01-01T00:00:00+00:00")
    withdraw = consent_sql(patient_id, "inactive", "2099-01-02T00:00:00+00:00")

    before, objected, withdrawn = (omop_footprint(warehouse, patient_id)
                                   for warehouse in incremental_steps(loaded, tmp_path, [object_, withdraw]))
    assert all(before.values()), before
    assert set(objected.values()) == {0}, objected
    assert withdrawn == before
