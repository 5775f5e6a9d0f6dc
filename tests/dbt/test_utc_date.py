"""macros/utc_date.sql: the UTC day of a TIMESTAMPTZ by arithmetic gives what a cast to DATE gives in a
UTC session (the profile's), edge values included, and stays the UTC day in any session time zone."""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2
import pytest

MACRO = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "utc_date.sql"
TIMESTAMPS = [
    "2026-03-01 00:00:00+00",
    "2026-03-01 23:59:59.999999+00",
    "2026-03-01 01:30:00+02",  # the UTC day before
    "2026-02-28 22:30:00-02",  # the UTC day after
    "2024-02-29 12:00:00+00",
    "1969-12-31 23:59:59.5+00",  # before the epoch: floor, not truncation
    "1900-01-01 00:00:00+00",
    "0001-01-01 00:00:00+00",
    "infinity",
    "-infinity",
]


def utc_date_sql(argument: str) -> str:
    module = jinja2.Environment().from_string(MACRO.read_text()).module
    return str(module.utc_date(argument)).strip()


@pytest.fixture()
def con():
    connection = duckdb.connect()
    connection.execute("create table t (ts timestamptz)")
    connection.executemany("insert into t values (cast(? as timestamptz))", [[t] for t in TIMESTAMPS])
    connection.execute("insert into t values (null)")
    yield connection
    connection.close()


def test_utc_date_equals_the_cast_in_a_utc_session(con):
    con.execute("set TimeZone = 'UTC'")
    rows = con.execute(f"select ts, {utc_date_sql('ts')}, cast(ts as date) from t").fetchall()
    assert len(rows) == len(TIMESTAMPS) + 1
    assert all(day == cast for _, day, cast in rows)
    days = [str(day) for _, day, _ in rows[:6]]
    assert days == ["2026-03-01", "2026-03-01", "2026-02-28", "2026-03-01", "2024-02-29", "1969-12-31"]


def test_utc_date_is_the_utc_day_in_any_session_time_zone(con):
    con.execute("set TimeZone = 'Pacific/Auckland'")
    day = con.execute(
        f"select {utc_date_sql('ts')} from t where ts = timestamptz '2026-03-01 23:59:59.999999+00'"
    ).fetchone()[0]
    assert str(day) == "2026-03-01"
