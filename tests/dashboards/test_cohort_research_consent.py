"""Analyst cohort cubes leave out patients who withdrew research consent (marts.patients flag)."""

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
