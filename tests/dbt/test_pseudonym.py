"""The pseudonymous patient key: HMAC-SHA256(secret key, source + identifier)."""

from __future__ import annotations

import hashlib
import hmac
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingestion import pseudonym, sql_functions


def test_key_is_hmac_sha256_of_source_and_identifier(monkeypatch):
    monkeypatch.setenv("PSEUDONYM_KEY", "k")
    expected = hmac.new(b"k", b"src\x1fp1", hashlib.sha256).hexdigest()
    assert pseudonym.pseudonym_key("src", "p1") == expected
    assert pseudonym.pseudonym_key("src", "p1") != pseudonym.pseudonym_key("sr", "cp1")
    assert pseudonym.pseudonym_key("src", None) is None


def test_production_refuses_to_run_without_a_key(monkeypatch):
    monkeypatch.delenv("PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("PLATFORM_ENV", "production")
    with pytest.raises(pseudonym.PseudonymKeyMissing, match="PSEUDONYM_KEY"):
        pseudonym.pseudonym_key("src", "p1")


def test_development_uses_the_named_development_key(monkeypatch):
    monkeypatch.delenv("PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("PLATFORM_ENV", "development")
    assert pseudonym.secret_key() == pseudonym.DEVELOPMENT_ONLY_KEY.encode()


def test_duckdb_udf_matches_the_python_function(monkeypatch):
    monkeypatch.setenv("PSEUDONYM_KEY", "k")
    con = duckdb.connect()
    pseudonym.register(con)
    assert con.execute("select pseudonym_key('src', 'p1'), pseudonym_key('src', null)").fetchall() == [
        (pseudonym.pseudonym_key("src", "p1"), None)
    ]


def test_dbt_duckdb_plugin_registers_the_models_functions(monkeypatch):
    monkeypatch.setenv("PSEUDONYM_KEY", "k")
    plugin = sql_functions.Plugin(name="sql_functions", plugin_config={})
    con = duckdb.connect()
    plugin.configure_connection(con)
    assert con.execute("select pseudonym_key('a', 'b')").fetchall()[0][0] == pseudonym.pseudonym_key("a", "b")
    baseline = con.execute(
        "select rolling_baseline([date '2026-01-01', date '2026-01-02'], [1.0, 2.0], 28)"
    ).fetchall()[0][0]
    assert baseline == [{"median": None, "mad": None, "n_days": 0}, {"median": 1.0, "mad": 0.0, "n_days": 1}]


@pytest.mark.parametrize("key", [b"k", b"x" * 64, b"a key longer than SHA-256's 64-byte block, hashed first" * 2])
def test_duckdb_udf_matches_hmac_over_chunks_of_rows(key):
    """The vectorised function equals hmac.new row by row: several chunks, nulls, empty ids, sources."""
    con = duckdb.connect()
    pseudonym.register(con, key)
    rows = con.execute(
        """
        select source, identifier, pseudonym_key(source, identifier)
        from (
            select
                case i % 3 when 0 then 'urn:a' when 1 then 'urn:b/Patient' end as source,
                case when i % 7 = 0 then null when i % 11 = 0 then '' else 'id-' || i || 'é' end as identifier
            from range(5000) as r(i)
        )
        """
    ).fetchall()
    assert len(rows) == 5000
    for source, identifier, key_value in rows:
        if identifier in (None, ""):
            assert key_value is None
        else:
            message = f"{source or ''}\x1f{identifier}".encode()
            assert key_value == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert sum(key_value is None for *_, key_value in rows) == sum(
        identifier in (None, "") for _, identifier, _ in rows
    )


def test_the_models_functions_do_not_import_pandas():
    """pa.array and to_numpy import pandas: about a second of every dbt run that calls them."""
    query = (
        "select pseudonym_key('src', 'p1'), "
        "rolling_baseline([date '2026-01-01', date '2026-01-02'], [1.0, null], 28)"
    )
    script = (
        "import sys, duckdb\n"
        "from ingestion import sql_functions\n"
        "con = duckdb.connect(); sql_functions.register(con)\n"
        f"con.execute({query!r}).fetchall()\n"
        "print('pandas' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "False"
