"""One throwaway warehouse with small realistic raw rows and one `dbt build` for the whole session."""

from __future__ import annotations

import hashlib
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the raw-row builders next to this file
import dbt_raw_rows as rows
from dbt_cli import dbt


def alert_id(patient_key: str, rule_id: str, start: datetime) -> str:
    """The documented alert id: sha256 of patient_key|rule_id|episode start in epoch milliseconds."""
    epoch_ms = int(start.timestamp() * 1000)
    return hashlib.sha256(f"{patient_key}|{rule_id}|{epoch_ms}".encode()).hexdigest()


def raw_rows(con) -> None:
    from ingestion.pseudonym import pseudonym_key

    p1_key = pseudonym_key("urn:survivorship-platform:fhir-patient-id", "p1")
    fever_start = datetime(2026, 2, 2, 7, 0, tzinfo=UTC)
    phq_start = datetime(2026, 2, 1, 18, 0, tzinfo=UTC)
    resources = [
        rows.patient("p1"),
        rows.patient("p2", centre="centre-b", gender="male", birth="1950-09-30"),
        rows.condition("c1", "p1", icd10="C50.9", onset="2024-06-01"),
        rows.condition("c2", "p2", icd10="C18.7", onset="2025-01-15", stage="III"),
        {"resourceType": "MedicationStatement", "id": "m1", "status": "completed",
         "subject": {"reference": "Patient/p1"},
         "category": {"coding": [{"code": "chemotherapy"}]},
         "medicationCodeableConcept": {"coding": [{"system": "http://www.whocc.no/atc", "code": "L01CD01"}],
                                       "text": "paclitaxel"},
         "effectivePeriod": {"start": "2024-07-01", "end": "2024-10-01"}},
        # PHQ-9 and GAD-7 the same evening: two mediums -> MULTI-MEDIUM; item 9 > 0 -> PHQ9-ITEM9
        rows.response("phq-own", "p1", "phq-9", "2026-02-01T19:00:00+01:00",
                      {f"phq9-{i}": v for i, v in enumerate([2, 2, 1, 1, 1, 1, 1, 1, 1], 1)}),
        rows.response("gad-own", "p1", "gad-7", "2026-02-01T19:05:00+01:00",
                      {f"gad7-{i}": 2 for i in range(1, 8)}),
        # a foreign questionnaire: the LOINC PHQ-9 panel with LA answer codes (total 3 x 9 = 27)
        rows.response("phq-loinc", "p2", "phq-9", "2026-02-03T10:00:00+01:00",
                      {code: ("http://loinc.org", "LA6571-9") for code in
                       ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]},
                      url="http://loinc.org/q/44249-1"),
        rows.response("qlq-1", "p2", "eortc-qlq-c30", "2026-01-05T10:00:00+01:00", {f"q{i}": 1 for i in range(1, 31)}),
        rows.response("ctcae-1", "p2", "pro-ctcae", "2026-02-03T10:10:00+01:00",
                      {"nausea-frequency": 3, "nausea-severity": 3, "diarrhea-frequency": "not-applicable"}),
        rows.response("dt-1", "p2", "distress-thermometer", "2026-02-03T10:20:00+01:00", {"dt-score": 6}),
        # fever two days running (degF and Cel): one FEVER episode, acknowledged by the backend
        rows.observation("t1", "p1", "8310-5", "2026-02-02T08:00:00+01:00", 101.3, "[degF]"),
        rows.observation("t2", "p1", "8310-5", "2026-02-03T08:00:00+01:00", 38.4, "Cel"),
        rows.observation("w1", "p2", "29463-7", "2026-02-01T08:00:00+01:00", 176.4, "[lb_av]"),
        # Kelvin (a unit the loader accepts) is converted; ounces have no conversion: reported, not lost
        rows.observation("t3", "p2", "8310-5", "2026-02-01T09:00:00+01:00", 310.15, "K"),
        rows.observation("w2", "p2", "29463-7", "2026-02-02T08:00:00+01:00", 2816.0, "[oz_av]"),
        rows.blood_pressure("bp1", "p2", "2026-02-02T08:00:00+01:00", 185, 95),
        # reviews: FEVER acknowledged within 24 h of arriving; a later review moves the data horizon
        # past the 24 h deadline of the alerts nobody acknowledged
        rows.alert_review_task("task-1", alert_id(p1_key, "FEVER", fever_start), "accepted", "2026-02-04T09:00:00+00:00"),
        rows.alert_review_task("task-2", alert_id(p1_key, "PHQ9-MOD", phq_start), "completed", "2026-02-06T10:00:00+00:00"),
    ]
    rows.insert_resources(con, resources, loaded_at=datetime(2026, 2, 4, tzinfo=UTC))
    rows.insert_device_readings(
        con,
        [("p1", "55423-8", f"2026-01-{d:02d}T12:00:00+00:00", 8000.0 + 100 * (d % 3), "/d") for d in range(1, 31)],
        loaded_at=datetime(2026, 2, 4, tzinfo=UTC),
    )


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory) -> Path:
    from ingestion.warehouse import connect

    work = tmp_path_factory.mktemp("dbt")
    warehouse = work / "warehouse.duckdb"
    con = connect(warehouse)
    raw_rows(con)
    con.close()
    result = dbt(["build"], warehouse, work)
    assert result.returncode == 0, result.stdout[-4000:]
    docs = dbt(["docs", "generate", "--no-compile"], warehouse, work)
    assert docs.returncode == 0, docs.stdout[-4000:]
    return warehouse


@pytest.fixture()
def warehouse(built_warehouse):
    import duckdb

    con = duckdb.connect(str(built_warehouse), read_only=True)
    yield con
    con.close()
