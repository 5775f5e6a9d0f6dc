"""Privacy end to end on a real pipeline run: the marts carry no direct identifiers, and one
command erases a person from the backend and every pipeline store, down to the bytes on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import select

from ingestion.privacy.erasure import omop_person_id, patient_key_for

pytestmark = pytest.mark.slow

PUBLIC_SCHEMAS = ("marts", "omop")


def _run(args, env):
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=900, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    root = tmp_path_factory.mktemp("privacy")
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(root / "warehouse.duckdb"), "LANDING_DIR": str(root / "landing"),
        "SNAPSHOT_DIR": str(root / "snapshots"), "QUALITY_DIR": str(root / "quality"),
        "PIPELINE_RUNS_DIR": str(root / "runs"), "DATABASE_URL": f"sqlite:///{root / 'backend.sqlite'}",
        "EXPORT_DIR": str(root / "exports"), "ATTACHMENT_DIR": str(root / "attachments"),
        "ERASURE_LEDGER": str(root / "erasures.jsonl"),
    }
    _run(["-m", "ingestion", "synth", "--patients", "6", "--days", "40", "--seed", "11",
          "--out", env["LANDING_DIR"], "--no-app-content", "--quiet"], env)
    _run(["-m", "ingestion.pipeline", "run"], env)
    return root, env


def _people(landing: Path) -> list[dict]:
    people = []
    for line in (landing / "fhir" / "bulk" / "Patient.ndjson").read_text().splitlines():
        patient = json.loads(line)
        name = patient["name"][0]
        people.append({
            "id": patient["id"],
            "full_name": f"{' '.join(name.get('given', []))} {name['family']}",
            "family": name["family"],
            "telecom": [t["value"] for t in patient.get("telecom", [])],
            "birth_date": patient.get("birthDate"),
        })
    return people


def _text_values(con, schemas) -> list[str]:
    values = []
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ? and data_type in ('VARCHAR', 'JSON', 'DATE')", [list(schemas)]).fetchall()
    for schema, table, column in columns:
        values += [str(v) for (v,) in con.execute(f'select distinct "{column}"::varchar from "{schema}"."{table}"').fetchall() if v]
    return values


def test_marts_and_their_snapshot_carry_no_direct_identifiers(platform):
    root, env = platform
    people = _people(Path(env["LANDING_DIR"]))
    pointer = json.loads((root / "snapshots" / "CURRENT").read_text())
    for database in (root / "warehouse.duckdb", root / "snapshots" / pointer["marts"]):
        with duckdb.connect(str(database), read_only=True) as con:
            values = "\n".join(_text_values(con, PUBLIC_SCHEMAS))
        assert len(values) > 1000, "the marts hold data to scan"
        for person in people:
            # Names, contact details and exact birth dates (ARCHITECTURE decision 7), and the source
            # patient id, also where a source resource id embeds it (synthetic ids are
            # "<patient id>-qr-00001"): marts and OMOP carry only keyed pseudonyms of source ids.
            needles = [person["full_name"], person["family"], *person["telecom"], person["birth_date"], person["id"]]
            for needle in needles:
                assert needle and needle not in values, (database.name, needle)


def test_one_command_erases_a_person_from_every_store(platform):
    root, env = platform
    from app_backend.db import make_engine, make_session_factory, migrate
    from app_backend.models import FhirResource, User
    from app_backend.services.accounts import create_user
    from app_backend.services.telehealth import messaging

    people = _people(Path(env["LANDING_DIR"]))
    person = next(p for p in people if p["telecom"] and all(p["family"] != o["family"] for o in people if o is not p))
    email = next(t for t in person["telecom"] if "@" in t)

    # The same person has an app account: a conversation with their care team and a record.
    engine = make_engine(env["DATABASE_URL"])
    migrate(engine)
    with make_session_factory(engine)() as session:
        user = create_user(session, email=email, password="correct horse battery", name=person["full_name"], role="patient")
        session.query(FhirResource).filter_by(patient_id=user.patient_id).delete()
        user.patient_id = person["id"]
        session.flush()
        thread = messaging.start_thread(session, user, person["id"], "Night sweats")
        messaging.post(session, thread, user, "Since Tuesday, mostly at night")
        session.commit()

    out = _run(["-m", "ingestion.privacy", "erase", person["id"], "--logs", env["PIPELINE_RUNS_DIR"],
                "--logs", env["QUALITY_DIR"]], env)
    summary = json.loads(out)
    assert summary["backend"]["accounts"] == 1 and summary["backend"]["messages"] == 1
    assert summary["pipeline"]["warehouse_rows"]["raw.fhir_resources"] > 0
    assert summary["republished"], "the snapshot is republished without the person"

    with make_session_factory(engine)() as session:
        assert session.scalar(select(User).where(User.email == email)) is None
        assert not session.query(FhirResource).filter_by(patient_id=person["id"]).count()
    engine.dispose()

    needles = [person["id"], person["full_name"], *person["telecom"]]
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        everything = "\n".join(_text_values(con, ("raw", "quarantine", "marts", "omop", "identity", "main")))
        assert con.execute("select count(*) from raw.fhir_resources").fetchone()[0] > 0, "others stay"
        person_id = omop_person_id(patient_key_for(person["id"]))
        for table in ("person", "measurement", "observation", "condition_occurrence", "drug_exposure"):
            assert not con.execute(f"select count(*) from omop.{table} where person_id = ?", [person_id]).fetchone()[0]
    for needle in needles:
        assert needle not in everything, needle
    for path in root.rglob("*"):
        if path.is_file() and path.name != "erasures.jsonl":
            data = path.read_bytes()
            for needle in needles:
                assert needle.encode() not in data, (str(path.relative_to(root)), needle)
    assert person["id"] not in (root / "erasures.jsonl").read_text()
