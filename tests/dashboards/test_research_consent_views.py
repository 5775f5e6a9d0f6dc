"""Research-consent withdrawal in the dashboards: analyst cohort cubes leave the patient out
(marts.patients flag); the clinician patient page keeps their history (clinician mart, not OMOP)."""

from __future__ import annotations

import duckdb

from dashboards import cohort_sql
from dashboards.snapshot import query


def test_withdrawn_patients_leave_every_analyst_cube(tmp_path):
    path = str(tmp_path / "cohort-snapshot.duckdb")
    with duckdb.connect(path) as con:
        con.execute("create schema marts")
        con.execute("""create table marts.patients as
            select 'k' || i as patient_key, case when i < 3 then 'withdrawn-only' else 'centre-a' end as centre_id,
                   'breast' as cancer_type, 30 as months_since_diagnosis, ['surgery'] as treatment_kinds,
                   date '2024-01-01' as diagnosis_date, i >= 3 as research_use_permitted
            from range(20) t(i)""")
        con.execute("""create table marts.prom_scores as
            select patient_key, 'qlq-c30' as instrument, 'QL' as scale, 50.0 as score,
                   timestamptz '2026-01-01 10:00+00' as authored_at from marts.patients""")
    options = list(query(path, cohort_sql.filter_options_sql(path)).itertuples(index=False, name=None))
    patients = list(query(path, cohort_sql.cube_sql("patients", path)).itertuples(index=False, name=None))
    qol = list(query(path, cohort_sql.cube_sql("qol", path)).itertuples(index=False, name=None))
    assert ("centre_id", "centre-a") in options and ("centre_id", "withdrawn-only") not in options
    assert all("withdrawn-only" not in row for row in patients + qol)
    total = next(row[-1] for row in patients if row[:4] == ("ALL", "ALL", "ALL", "ALL"))
    assert total == 17


def test_clinician_timeline_reads_the_clinician_mart_not_omop(tmp_path):
    from dashboards import data

    path = str(tmp_path / "timeline-snapshot.duckdb")
    with duckdb.connect(path) as con:
        con.execute("create schema marts; create schema omop")
        con.execute("""create table marts.patient_timeline as select * from (values
            ('k1', 'diagnosis', date '2024-06-01', null::date, 'C50.9'),
            ('k1', 'medication', date '2024-07-01', date '2024-10-01', 'L01CD01'),
            ('k2', 'diagnosis', date '2025-01-15', null::date, 'C18.7')) t(patient_key, kind, start_date, end_date, event_label)""")
        # k1 withdrew research consent: OMOP has no row for them
        con.execute("create table omop.person as select 2 as person_id, 'k2' as person_source_value")
        con.execute("""create table omop.condition_occurrence as
            select 2 as person_id, date '2025-01-15' as condition_start_date, 'C18.7' as condition_source_value""")
    events = data.patient_timeline(path, "k1")
    assert list(zip(events["kind"], events["label"], strict=True)) == [("diagnosis", "C50.9"), ("medication", "L01CD01")]


def test_analyst_time_windows_end_on_the_cohorts_own_latest_data(tmp_path):
    """A withdrawn patient's later answers must not move the windows (nor reveal their date):
    adherence over the last 12 weeks is the same with or without their rows."""
    path = str(tmp_path / "window-snapshot.duckdb")
    with duckdb.connect(path) as con:
        con.execute("create schema marts")
        con.execute("""create table marts.patients as
            select 'k' || i as patient_key, 'centre-a' as centre_id, 'breast' as cancer_type,
                   30 as months_since_diagnosis, ['surgery'] as treatment_kinds,
                   date '2024-01-01' as diagnosis_date, i > 0 as research_use_permitted
            from range(15) t(i)""")
        # Permitted patients answered weekly until 2026-01-01; the withdrawn one (k0) in 2026-09.
        con.execute("""create table marts.prom_scores as
            select p.patient_key, 'pro-ctcae' as instrument, 'fatigue' as scale, 1.0 as score,
                   timestamptz '2026-01-01 10:00+00' - to_days(7 * w::int) as authored_at
            from marts.patients p, range(12) t(w) where p.research_use_permitted
            union all select 'k0', 'pro-ctcae', 'fatigue', 3.0, timestamptz '2026-09-01 10:00+00'""")
        con.execute("""create table marts.telemonitoring_daily as
            select patient_key, date '2026-01-01' - w::int as day from marts.patients, range(28) t(w)
            where research_use_permitted
            union all select 'k0', date '2026-09-01'""")
    cube = query(path, cohort_sql.cube_sql("adherence", path))
    dims = ["centre_id", "cancer_type", "tsd_band", "treatment"]
    everyone = cube[(cube[dims] == "ALL").all(axis=1)]
    assert set(everyone["measure"]) == {"Weekly PRO-CTCAE completed, last 12 weeks",
                                        "Days with device data, last 28 days"}  # fmt: skip
    assert everyone["n"].tolist() == [14, 14] and everyone["mean_share"].tolist() == [1.0, 1.0]
