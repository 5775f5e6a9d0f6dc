"""Erasure removes one person from every pipeline store and leaves everyone else intact."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pytest

from ingestion import warehouse as wh
from ingestion.errors import IngestionError
from ingestion.privacy.erasure import erase_person

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _patient(pid, name, email):
    return {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [{"system": "http://survivorship-platform.org/fhir/sid/patient-id", "value": f"MRN-{pid}"}],
        "name": [{"family": name, "given": ["Alex"]}],
        "telecom": [{"system": "email", "value": email}],
    }


def _observation(oid, pid):
    return {"resourceType": "Observation", "id": oid, "status": "final", "subject": {"reference": f"Patient/{pid}"}}


@pytest.fixture
def stores(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    landing = tmp_path / "landing"
    snapshots = tmp_path / "snapshots"
    logs = tmp_path / "logs"
    resources = [
        _patient("p-erase", "Vandermeulen", "erase.me@example.test"),
        _patient("p-keep", "Kowalczyk", "keep.me@example.test"),
        _observation("o1", "p-erase"),
        _observation("o2", "p-keep"),
    ]
    con = wh.connect(warehouse)
    for i, res in enumerate(resources):
        patient = res["id"] if res["resourceType"] == "Patient" else res["subject"]["reference"].split("/")[1]
        con.execute(
            "insert into raw.fhir_resources values (?, ?, ?, null, null, ?, 'fhir-ndjson', 'x.ndjson', 'l1', ?, ?)",
            [f"h{i}", res["resourceType"], res["id"], patient, NOW, json.dumps(res)],
        )
    con.execute(
        "insert into raw.device_observations values ('d1', 'p-erase', 'device-csv', 'scale', '29463-7', ?, null,"
        " 70.1, 'kg', '154.5', 'lb', 'landing/devices/csv/patient=p-erase/w.csv', 'l2', ?, '{}')",
        [NOW, NOW],
    )
    con.execute(
        "insert into raw.load_log (load_id, source_file, started_at, status, patient_id) values"
        " ('l2', 'landing/devices/csv/patient=p-erase/w.csv', ?, 'loaded', 'p-erase')",
        [NOW],
    )
    con.execute(
        "insert into quarantine.records values ('q1', 'l1', 'x.ndjson', 'fhir-ndjson', 3, 'missing-id', 'no id',"
        " '{\"subject\":{\"reference\":\"Patient/p-erase\"}}', ?)",
        [NOW],
    )
    con.execute("create schema marts; create table marts.prom_scores(patient_key varchar, score double)")
    con.execute("insert into marts.prom_scores values ('key-erase', 10), ('key-keep', 20)")
    con.close()

    (landing / "fhir" / "bulk").mkdir(parents=True)
    (landing / "fhir" / "bulk" / "Observation.ndjson").write_text(
        "\n".join(json.dumps(r) for r in resources[2:]) + "\n"
    )
    (landing / "fhir" / "bundles").mkdir(parents=True)
    (landing / "fhir" / "bundles" / "p-erase.json").write_text(json.dumps({"resourceType": "Bundle", "entry": []}))
    device_dir = landing / "devices" / "csv" / "patient=p-erase"
    device_dir.mkdir(parents=True)
    (device_dir / "withings-weight.csv").write_text("Date;Weight (lb)\n2026-10-01;154,5\n")
    snapshots.mkdir()
    (snapshots / "marts-20261101T000000Z.duckdb").write_bytes(b"old snapshot")
    (snapshots / "CURRENT").write_text("{}")
    logs.mkdir()
    (logs / "dbt.log").write_text("ok line\nloaded erase.me@example.test for p-erase\n")
    return warehouse, landing, snapshots, logs


def test_erasure_reaches_every_store(stores, tmp_path):
    warehouse, landing, snapshots, logs = stores
    ledger = tmp_path / "erasures.jsonl"
    report = erase_person(
        "p-erase", warehouse=warehouse, landing_dir=landing, snapshot_dir=snapshots,
        log_dirs=[logs], patient_key="key-erase", ledger=ledger,
    )
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select resource_id from raw.fhir_resources order by 1").fetchall() == [("o2",), ("p-keep",)]
    assert con.execute("select count(*) from raw.device_observations").fetchone() == (0,)
    assert con.execute("select count(*) from quarantine.records").fetchone() == (0,)
    assert con.execute("select source_file, patient_id from raw.load_log").fetchall() == [("[erased]", None)]
    assert con.execute("select patient_key from marts.prom_scores").fetchall() == [("key-keep",)]
    con.close()

    assert report.warehouse_rows == {
        "raw.fhir_resources": 2, "raw.device_observations": 1, "quarantine.records": 1, "marts.prom_scores": 1,
    }
    observations = (landing / "fhir" / "bulk" / "Observation.ndjson").read_text()
    assert "p-erase" not in observations and "p-keep" in observations
    assert not (landing / "fhir" / "bundles" / "p-erase.json").exists()
    assert not (landing / "devices" / "csv" / "patient=p-erase").exists()
    assert list(snapshots.iterdir()) == []
    assert "erase.me@example.test" not in (logs / "dbt.log").read_text()

    # Nothing of the person is left in any file the stores hold, the warehouse's free blocks included.
    for path in tmp_path.rglob("*"):
        if path.is_file() and path != ledger:
            data = path.read_bytes()
            for needle in (b"p-erase", b"Vandermeulen", b"erase.me@example.test", b"MRN-p-erase"):
                assert needle not in data, (path, needle)
    record = json.loads(ledger.read_text())
    assert "p-erase" not in ledger.read_text() and record["landing_files_removed"] == 2


def test_erasure_refuses_what_is_not_a_patient_id(stores):
    warehouse, landing, snapshots, _ = stores
    with pytest.raises(IngestionError, match="not a FHIR Patient id"):
        erase_person("../etc", warehouse=warehouse, landing_dir=landing, snapshot_dir=snapshots, patient_key="k")
