"""Fixtures for the pipeline steps: a small warehouse with hand-written marts, to test the steps
after dbt without running it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

GOOD_MARTS = """
create schema if not exists marts;
create schema if not exists identity;
create schema if not exists raw;
create table raw.fhir_resources as select 'hash-1' as content_hash, '{}'::json as resource;
create table marts.prom_scores as select * from (values
    ('pk-1', 'phq-9', 'total', 12.0::double, timestamptz '2026-01-02 10:00:00+00', 'qr-1'),
    ('pk-1', 'qlq-c30', 'QL', 66.7, timestamptz '2026-01-02 10:00:00+00', 'qr-2'),
    ('pk-2', 'qlq-c30', 'PF', null, timestamptz '2026-01-03 10:00:00+00', 'qr-3')
) t(patient_key, instrument, scale, score, authored_at, response_id);
create table marts.alerts as select * from (values
    ('a-1', 'pk-1', 'PHQ9-MOD', 1, 'medium', timestamptz '2026-01-02 10:00:00+00', '{}', 'open')
) t(alert_id, patient_key, rule_id, rule_version, severity, triggered_at, evidence, status);
create table marts.telemonitoring_daily as select * from (values
    ('pk-1', date '2026-01-02', 'heart_rate', 71.5::double, '/min'),
    ('pk-1', date '2026-01-02', 'body_temperature', 37.1, 'Cel')
) t(patient_key, day, metric, value, unit);
create view marts.patients_per_instrument as
    select instrument, count(distinct patient_key) as patients from marts.prom_scores group by 1;
create table identity.patient_map as select 'pk-1' as patient_key, 'patient-1' as patient_id;
"""


def make_warehouse(path: Path, extra_sql: str = "") -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(GOOD_MARTS + extra_sql)
    return path


@pytest.fixture
def marts_warehouse(tmp_path) -> Path:
    return make_warehouse(tmp_path / "warehouse.duckdb")


@pytest.fixture
def make_marts_warehouse(tmp_path):
    """Factory: a marts warehouse with extra SQL applied (to break or remove things)."""
    return lambda extra_sql="": make_warehouse(tmp_path / "wh.duckdb", extra_sql)
