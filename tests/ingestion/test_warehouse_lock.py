"""A second writer waits for DuckDB's lock instead of failing at once, and gives up with a clear line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from ingestion.errors import IngestionError
from ingestion.warehouse import connect


def _hold(path, seconds):
    code = textwrap.dedent(f"""
        import sys, time, duckdb
        con = duckdb.connect({str(path)!r})
        print("held", flush=True)
        time.sleep({seconds})
        con.close()
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_writer_waits_for_the_first(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    holder = _hold(path, 2)
    started = time.monotonic()
    con = connect(path, lock_timeout=60)
    waited = time.monotonic() - started
    con.execute("select count(*) from raw.fhir_resources").fetchone()
    con.close()
    holder.wait(timeout=30)
    assert waited >= 0.5, "the lock was held, so the second writer had to wait"


def test_a_writer_gives_up_after_the_timeout_with_a_clear_message(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    holder = _hold(path, 10)
    try:
        with pytest.raises(IngestionError, match="held by another process"):
            connect(path, lock_timeout=1)
    finally:
        holder.kill()
        holder.wait()
