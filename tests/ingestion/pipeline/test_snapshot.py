"""Publishing: immutable read-only snapshots, switched atomically, readable while the warehouse is written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from ingestion.errors import IngestionError
from ingestion.pipeline.snapshot import SnapshotNotFound, current_snapshot, publish


@pytest.fixture
def warehouse(marts_warehouse):
    return marts_warehouse


def test_publish_copies_public_schemas_and_identity_apart(warehouse, tmp_path):
    snapshots = tmp_path / "snapshots"
    result = publish(warehouse, snapshots)
    current = current_snapshot(snapshots)
    assert current.marts.name == result["marts"] and current.marts.name.startswith("marts-")
    with duckdb.connect(str(current.marts), read_only=True) as con:
        tables = set(
            con.execute("select schema_name || '.' || table_name from duckdb_tables()").fetchall()
        )
        assert ("marts.prom_scores",) in tables
        # The view is materialised: the snapshot stands alone.
        assert ("marts.patients_per_instrument",) in tables
        assert not any(t.startswith(("raw.", "identity.")) for (t,) in tables)
        assert con.execute("select count(*) from marts.prom_scores").fetchone()[0] == 3
    with duckdb.connect(str(current.identity), read_only=True) as con:
        assert con.execute("select patient_id from identity.patient_map").fetchall() == [
            ("patient-1",)
        ]
    assert not os.access(current.marts, os.W_OK) or os.geteuid() == 0
    assert oct(current.marts.stat().st_mode & 0o777) == oct(0o444)
    pointer = json.loads((snapshots / "CURRENT").read_text())
    assert set(pointer) == {"marts", "identity", "published_at"}


def test_keeps_the_last_three_snapshots(warehouse, tmp_path):
    snapshots = tmp_path / "snapshots"
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for minute in range(5):
        publish(warehouse, snapshots, now=start + timedelta(minutes=minute))
    marts = sorted(p.name for p in snapshots.glob("marts-*.duckdb"))
    assert marts == [
        "marts-20260101T000200Z.duckdb",
        "marts-20260101T000300Z.duckdb",
        "marts-20260101T000400Z.duckdb",
    ]
    assert len(list(snapshots.glob("identity-*.duckdb"))) == 3
    assert current_snapshot(snapshots).marts.name == marts[-1]
    assert not list(snapshots.glob(".*tmp"))


def test_two_publishes_in_one_second_never_overwrite(warehouse, tmp_path):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    first = publish(warehouse, tmp_path / "s", now=now)["marts"]
    second = publish(warehouse, tmp_path / "s", now=now)["marts"]
    assert first != second and (tmp_path / "s" / first).exists()


def test_snapshot_is_readable_while_another_process_writes_the_warehouse(warehouse, tmp_path):
    publish(warehouse, tmp_path / "snapshots")
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(warehouse)!r})
            con.execute("create table marts.being_written as select range as n from range(10)")
            print("holding", flush=True)
            sys.stdin.readline()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "holding"
        # The live warehouse is locked by the writer...
        with pytest.raises(duckdb.IOException):
            duckdb.connect(str(warehouse), read_only=True)
        # ...and the dashboards' snapshot still answers.
        snap = current_snapshot(tmp_path / "snapshots")
        with duckdb.connect(str(snap.marts), read_only=True) as con:
            assert con.execute("select count(*) from marts.telemonitoring_daily").fetchone()[0] == 2
    finally:
        writer.communicate("done\n", timeout=30)


def test_no_snapshot_yet_says_what_to_do(tmp_path):
    with pytest.raises(SnapshotNotFound, match="make pipeline"):
        current_snapshot(tmp_path / "empty")


def test_publish_without_marts_fails_clearly_and_leaves_nothing(tmp_path):
    empty = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(IngestionError, match="no marts schema"):
        publish(empty, tmp_path / "snapshots")
    assert list((tmp_path / "snapshots").iterdir()) == []
