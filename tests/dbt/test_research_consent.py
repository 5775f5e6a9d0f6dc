"""Research-use consent end to end: the patient withdraws it in the backend, $export carries the
Consent to raw, and the next dbt build leaves them out of every analyst-facing mart and every OMOP
table while clinician marts keep them; a new consent brings them back on the following build."""

from __future__ import annotations

import pytest

pytest.importorskip("app_backend.main")

from app_backend.models import User
from ingestion.bulk_client import pull_export
from ingestion.load import load_paths
from ingestion.pseudonym import pseudonym_key
from tests.dbt.conftest import dbt, raw_rows
from tests.ingestion.load import test_load_backend_export

backend = test_load_backend_export.backend  # the real app over TestClient (a pytest fixture)

pytestmark = pytest.mark.slow
SOURCE = "urn:survivorship-platform:fhir-patient-id"
ANALYST_MARTS_BY_PATIENT = ("adherence_monthly",)
# p2 is the only centre-b patient: these centre-level marts have no centre-b row without them
ANALYST_MARTS_BY_CENTRE = ("qol_trajectories", "clinical_importance_shares", "alert_burden",
                           "alert_rate_by_questionnaire")
CLINICIAN_MARTS = ("prom_scores", "alerts", "telemonitoring_daily", "patients", "patient_timeline")


def _person_id(patient_key: str) -> int:
    return int(patient_key[:15], 16)  # the omop_id macro


def _footprint(warehouse, patient_key: str, centre: str) -> dict[str, int]:
    """How many rows of each mart and OMOP table belong to this patient (to their centre, for the
    marts by centre)."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = {}
        for mart in ANALYST_MARTS_BY_PATIENT + CLINICIAN_MARTS:
            counts[mart] = con.execute(f"select count(*) from marts.{mart} where patient_key = ?", [patient_key]).fetchone()[0]
        for mart in ANALYST_MARTS_BY_CENTRE:
            counts[mart] = con.execute(f"select count(*) from marts.{mart} where centre_id = ?", [centre]).fetchone()[0]
        omop_tables = [t for (t,) in con.execute(
            "select table_name from information_schema.columns where table_schema = 'omop' and column_name = 'person_id'"
        ).fetchall()]
        assert len(omop_tables) >= 6, omop_tables
        for table in omop_tables:
            counts[f"omop.{table}"] = con.execute(f"select count(*) from omop.{table} where person_id = ?",
                                                  [_person_id(patient_key)]).fetchone()[0]
        counts["research_use_permitted"] = con.execute(
            "select research_use_permitted from marts.patients where patient_key = ?", [patient_key]).fetchone()[0]
    return counts


def test_withdrawal_removes_from_analyst_marts_and_omop_and_reconsent_restores(backend, tmp_path):
    from ingestion.warehouse import connect

    client, world = backend
    warehouse = tmp_path / "warehouse.duckdb"
    con = connect(warehouse)
    raw_rows(con)  # p1 (centre-a) and p2 (centre-b) with scores, readings and alerts
    con.close()

    # p2 has an app account: they consent to research use, then withdraw
    service, patient = world.staff("service"), world.patient()
    with world.app.state.session_factory() as session:
        session.get(User, patient.id).patient_id = "p2"
        session.commit()
    consent = client.post("/consents/research", headers=patient.headers, json={"decision": "permit"}).json()
    assert client.post(f"/consents/{consent['id']}/withdraw", headers=patient.headers).status_code == 200

    def export_and_build(run: str, since=None):
        result = pull_export("http://testserver/fhir", token=service.token, since=since, types=["Consent"],
                             out_dir=tmp_path / run, poll_interval=0.05, client=client)
        reports = load_paths([tmp_path / run], warehouse)
        assert [r.summary() for r in reports if r.rejected or r.quarantined] == []
        built = dbt(["build"], warehouse, tmp_path / f"dbt-{run}")
        assert built.returncode == 0, built.stdout[-4000:]
        return result.transaction_time

    exported = export_and_build("withdrawn")
    p1, p2 = pseudonym_key(SOURCE, "p1"), pseudonym_key(SOURCE, "p2")
    withdrawn = _footprint(warehouse, p2, "centre-b")
    assert withdrawn.pop("research_use_permitted") is False
    gone = {name: n for name, n in withdrawn.items() if name.startswith("omop.") or name in
            ANALYST_MARTS_BY_PATIENT + ANALYST_MARTS_BY_CENTRE}
    assert set(gone.values()) == {0}, gone
    assert all(withdrawn[mart] > 0 for mart in CLINICIAN_MARTS), withdrawn  # clinicians still see p2
    control = _footprint(warehouse, p1, "centre-a")
    assert control.pop("research_use_permitted") is True
    # everyone else stays: one withdrawal leaves out that patient alone (p1 has no medication and no
    # QLQ-C30, which is all qol_trajectories holds)
    no_data = {"omop.drug_exposure", "qol_trajectories"}
    assert [name for name, n in control.items() if n == 0 and name not in no_data] == [], control
    assert control["omop.person"] == 1 and control["omop.observation_period"] == 1

    # a new research consent: back from the next run on
    assert client.post("/consents/research", headers=patient.headers, json={"decision": "permit"}).status_code == 201
    export_and_build("reconsented", since=exported)
    restored = _footprint(warehouse, p2, "centre-b")
    assert restored.pop("research_use_permitted") is True
    assert all(restored[name] > 0 for name in gone if name != "omop.drug_exposure"), restored
    assert restored["omop.person"] == 1 and restored["omop.observation_period"] == 1
