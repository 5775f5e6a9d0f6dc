"""dbt build on a small realistic raw warehouse: scores, telemonitoring, alerts, pseudonymisation, OMOP."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from dbt_cli import dbt

from ingestion.pseudonym import pseudonym_key

pytestmark = pytest.mark.slow
SOURCE = "urn:survivorship-platform:fhir-patient-id"
RESPONSE_SOURCE = "urn:survivorship-platform:fhir-resource-id/QuestionnaireResponse"


def one(con, sql: str, params=None):
    return con.execute(sql, params).fetchall()


def scores_of(con, response_id: str, columns: str):
    """A response's rows in prom_scores, found by the pseudonym its source id becomes."""
    return one(con, f"select {columns} from marts.prom_scores where response_id = ?",
               [pseudonym_key(RESPONSE_SOURCE, response_id)])


def test_loinc_coded_phq9_is_mapped_and_scored(warehouse):
    assert scores_of(warehouse, "phq-loinc", "score, band") == [
        (27.0, "severe")
    ]


def test_own_phq9_total_band_and_item9_flag(warehouse):
    assert scores_of(warehouse, "phq-own", "score, band, item9_flag") == [(11.0, "moderate", True)]


def test_qlq_c30_best_answers_score_the_scale_ends(warehouse):
    scores = dict(scores_of(warehouse, "qlq-1", "scale, score"))
    assert scores["PF"] == 100 and scores["FA"] == 0 and scores["QL"] == 0 and scores["SUM"] == 100
    assert len(scores) == 16


def test_pro_ctcae_excluded_answer_is_not_a_zero(warehouse):
    grades = dict(scores_of(warehouse, "ctcae-1", "scale, score"))
    assert grades == {"nausea": 3.0, "average_composite": 3.0}


def test_telemonitoring_units_are_normalised_with_originals_kept(warehouse):
    fever = one(
        warehouse,
        """select round(original_value, 1), original_unit, round(value, 2), unit
           from intermediate.int_telemonitoring_readings_normalised where reading_id = 'fhir:t1'""",
    )
    assert fever == [(101.3, "[degF]", 38.5, "Cel")]
    weight = one(warehouse, "select round(value, 2), unit from marts.telemonitoring_daily where metric = 'body_weight'")
    assert weight == [(80.01, "kg")]


def test_readings_in_unknown_units_are_reported_not_lost(warehouse):
    kelvin = one(
        warehouse,
        """select round(value, 2), unit, rejection_reason
           from intermediate.int_telemonitoring_readings_normalised where reading_id = 'fhir:t3'""",
    )
    assert kelvin == [(37.0, "Cel", None)]
    rejected = one(
        warehouse,
        """select patient_key, metric, original_value, original_unit, value, rejection_reason
           from marts.telemonitoring_readings_rejected""",
    )
    assert rejected == [(pseudonym_key(SOURCE, "p2"), "body_weight", 2816.0, "[oz_av]", None, "unknown-unit")]


def test_daily_steps_carry_a_personal_baseline(warehouse):
    row = one(
        warehouse,
        """select value, baseline_median, baseline_n_days from marts.telemonitoring_daily
           where metric = 'steps' and day = date '2026-01-30'""",
    )
    assert row == [(8000.0, 8100.0, 28)]


def test_two_fever_days_are_one_acknowledged_alert(warehouse):
    fevers = one(warehouse, "select n_findings, status, severity from marts.alerts where rule_id = 'FEVER'")
    assert fevers == [(2, "acknowledged", "urgent")]
    reviewed = one(warehouse, "select status from marts.alerts where rule_id = 'PHQ9-MOD' and centre_id = 'centre-a'")
    assert reviewed == [("resolved",)]


def test_every_expected_rule_fires_once(warehouse):
    counts = dict(one(warehouse, "select rule_id, count(*) from marts.alerts group by rule_id"))
    for rule in ("FEVER", "BP-CRISIS", "PHQ9-ITEM9", "PHQ9-MOD", "GAD7-MOD", "DT-REFER", "PRO-SEVERE"):
        assert counts.get(rule) and counts[rule] >= 1, rule
    assert counts["MULTI-MEDIUM"] == 2  # one per patient: PHQ9-MOD + GAD7-MOD (p1), PHQ9-MOD + DT-REFER (p2)
    assert counts["FEVER"] == 1


def test_unacknowledged_urgent_and_high_alerts_escalate(warehouse):
    escalated = {
        row[0]
        for row in one(warehouse, "select evidence->>'$.escalated_rule_id' from marts.alerts where rule_id = 'ESCALATE'")
    }
    assert "BP-CRISIS" in escalated and "PHQ9-ITEM9" in escalated
    assert "FEVER" not in escalated  # acknowledged within 24 h


def test_alert_evidence_names_values_and_thresholds(warehouse):
    evidence = one(warehouse, "select evidence->>'$.systolic_max', evidence->>'$.systolic_min' from marts.alerts where rule_id = 'BP-CRISIS'")
    assert evidence == [("185.0", "180.0")]


def test_patients_are_keyed_by_hmac_and_carry_no_identity(warehouse):
    keys = dict(one(warehouse, "select patient_id, patient_key from identity.patient_identity"))
    assert keys == {pid: pseudonym_key(SOURCE, pid) for pid in ("p1", "p2")}
    columns = {row[0] for row in one(warehouse, "select column_name from information_schema.columns where table_schema = 'marts'")}
    assert not columns & {"patient_id", "family_name", "given_name", "display_name", "birth_date", "address", "email"}
    patients = one(warehouse, "select centre_id, cancer_type, birth_year, age_band from marts.patients order by centre_id")
    assert patients == [("centre-a", "breast", 1961, "60-69"), ("centre-b", "colorectal", 1950, "70-79")]


def test_omop_person_and_loinc_measurements(warehouse):
    assert one(warehouse, "select count(*) from omop.person") == [(2,)]
    concepts = dict(
        one(warehouse, "select measurement_source_value, max(measurement_concept_id) from omop.measurement group by 1")
    )
    assert concepts["8310-5"] == 3020891 and concepts["29463-7"] == 3025315


def test_alert_rates_per_questionnaire_set_are_shares(warehouse):
    rates = one(warehouse, "select min(alert_rate), max(alert_rate) from marts.alert_rate_by_questionnaire")
    low, high = rates[0]
    assert 0 <= low <= high <= 1


def test_no_source_resource_or_patient_id_reaches_marts_or_omop(warehouse):
    """Source ids may embed identity (synthetic ids embed the patient id): marts carry pseudonyms."""
    source_ids = {"p1", "p2", "c1", "c2", "m1", "phq-own", "gad-own", "phq-loinc", "qlq-1", "ctcae-1", "dt-1",
                  "t1", "t2", "w1", "bp1"}
    found = set()
    for schema, table, column in one(
            warehouse, "select table_schema, table_name, column_name from information_schema.columns "
                       "where table_schema in ('marts', 'omop') and data_type not in ('DOUBLE', 'BIGINT', 'INTEGER', "
                       "'DATE', 'BOOLEAN', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP', 'HUGEINT')"):
        for (value,) in one(warehouse, f'select distinct "{column}"::varchar from "{schema}"."{table}"'):
            text = value or ""
            found |= {i for i in source_ids if text == i or f'"{i}"' in text or f"'{i}'" in text}
    assert found == set()
    assert one(warehouse, "select count(distinct response_id) from marts.prom_scores where length(response_id) = 64")[0][0] >= 6


def test_unscoped_unique_tests_catch_repeats_among_distinct_rows(built_warehouse, tmp_path):
    """Without a test scope the unique tests look for repeated 64-bit hashes over the whole table
    (repeated_hashes, by sorting them), then group only those: a row held twice and one held three
    times among distinct ones are each reported once."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        assert one(con, "select count(distinct content_hash) from staging.stg_fhir__observations")[0][0] > 2
        con.execute("""insert into marts.prom_scores
                       select * from marts.prom_scores where scale = 'total' order by response_id limit 1""")
        con.execute("""insert into staging.stg_fhir__observations
                       select o.* from staging.stg_fhir__observations as o, range(2)
                       where o.content_hash = (select min(content_hash) from staging.stg_fhir__observations)""")
    result = dbt(["test", "-s", "prom_scores", "stg_fhir__observations"], warehouse, tmp_path)
    assert result.returncode == 1
    assert "FAIL 1 unique_combination_prom_scores_response_id__scale" in result.stdout
    assert "FAIL 1 unique_with_new_rows_stg_fhir__observations_content_hash" in result.stdout
    failures = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    assert sorted(r["failures"] for r in failures if r["status"] == "fail") == [1, 1]


def test_scoped_data_tests_catch_a_new_row_repeating_an_old_one(built_warehouse, tmp_path):
    """The pipeline scopes the data tests to rows loaded since its last run (data_tests_loaded_after);
    a new score row repeating an old response and scale still fails the grain test, and an old
    out-of-range row outside the scope does not fail a scoped run (a manual build tests it)."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, warehouse)
    scope = ["--vars", json.dumps({"data_tests_loaded_after": "2026-06-01T00:00:00+00:00"})]
    with duckdb.connect(str(warehouse)) as con:
        con.execute("""insert into marts.prom_scores
                       select * replace (timestamptz '2026-07-01 00:00:00+00' as loaded_at)
                       from marts.prom_scores where scale = 'total' limit 1""")
    repeated = dbt(["test", "-s", "prom_scores", *scope], warehouse, tmp_path)
    assert repeated.returncode == 1
    assert "FAIL 1 unique_combination_prom_scores_response_id__scale" in repeated.stdout

    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from marts.prom_scores where loaded_at = timestamptz '2026-07-01 00:00:00+00'")
        con.execute("update marts.prom_scores set score = 140 where scale = 'total' and instrument = 'phq-9'")
    assert dbt(["test", "-s", "prom_scores", *scope], warehouse, tmp_path).returncode == 0
    unscoped = dbt(["test", "-s", "prom_scores"], warehouse, tmp_path)
    assert unscoped.returncode == 1 and "range_between_prom_scores_score" in unscoped.stdout


def test_measurement_id_check_catches_days_that_would_wrap_the_ids(built_warehouse, tmp_path):
    """omop.measurement's ids are unique by construction while no series spans 2^16 days: the check on
    the series passes on the built warehouse, and fails once a day 2^16 days before another is
    added, where the ids of the two days would be equal, and again for a day without a date (a
    null id)."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, warehouse)
    assert dbt(["test", "-s", "measurement_ids_are_unique"], warehouse, tmp_path).returncode == 0
    with duckdb.connect(str(warehouse)) as con:
        con.execute("""insert into marts.telemonitoring_daily
                       select * replace (day - 65536 as day) from marts.telemonitoring_daily as daily
                       where metric = 'body_weight'
                           and daily.patient_key in (select person_source_value from omop.person)
                       order by patient_key, day limit 1""")
        ids = one(con, """select count(*), count(distinct measurement_id) from omop.measurement""")[0]
    assert ids[0] == ids[1] + 1
    result = dbt(["test", "-s", "measurement_ids_are_unique"], warehouse, tmp_path)
    assert result.returncode == 1
    assert "FAIL 1 measurement_ids_are_unique" in result.stdout
    with duckdb.connect(str(warehouse)) as con:
        con.execute("""insert into marts.telemonitoring_daily
                       select * replace (null as day) from marts.telemonitoring_daily limit 1""")
    result = dbt(["test", "-s", "measurement_ids_are_unique"], warehouse, tmp_path)
    assert result.returncode == 1
    assert "FAIL 2 measurement_ids_are_unique" in result.stdout


def test_measurement_person_check_catches_a_person_missing_from_person(built_warehouse, tmp_path):
    """Every person_id of omop.measurement must be in omop.person, checked on the series: the check
    passes on the built warehouse and fails, naming the one person, once a measured patient's person
    row is gone (as the relationships test on the view's rows would)."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, warehouse)
    assert dbt(["test", "-s", "measurement_persons_are_in_person"], warehouse, tmp_path).returncode == 0
    with duckdb.connect(str(warehouse)) as con:
        person_id = one(con, """select person_id from omop.measurement order by person_id limit 1""")[0][0]
        con.execute("delete from omop.person where person_id = ?", [person_id])
        missing = one(con, """select count(distinct measurement.person_id) from omop.measurement
                               anti join omop.person using (person_id)""")[0][0]
    assert missing == 1
    result = dbt(["test", "-s", "measurement_persons_are_in_person"], warehouse, tmp_path)
    assert result.returncode == 1
    assert "FAIL 1 measurement_persons_are_in_person" in result.stdout
