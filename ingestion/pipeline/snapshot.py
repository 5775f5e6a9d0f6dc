"""Publish: an immutable, read-only copy of the marts for the dashboards.

DuckDB admits one writer process and, while it writes, no reader (ARCHITECTURE.md decision 2), so
the dashboards never open the live warehouse. After each successful build the schemas they read are
copied into a new file, which is then switched in atomically through a small pointer file:

    SNAPSHOT_DIR/marts-20260101T120000Z.duckdb     marts, omop, quality (pseudonymised)
    SNAPSHOT_DIR/identity-20260101T120000Z.duckdb  identity (clinician views only)
    SNAPSHOT_DIR/CURRENT                           {"marts": ..., "identity": ..., "published_at": ...}

The marts snapshot's `quality` schema also gets the warehouse's load history and quarantine, for
the data-quality page, with only the columns that identify no one (QUALITY_VIEWS): no record
content, no source file names, no patient ids. `quality.pipeline_runs` and `quality.ge_results`
are warehouse tables of the `quality` schema and are copied as they are.

A reader that opened the previous file keeps reading it; the next reader gets the new one. The
last few snapshots are kept so that readers mid-query are never cut off; older ones are deleted.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingestion.errors import IngestionError
from ingestion.pipeline import config

log = logging.getLogger(__name__)

PUBLIC_SCHEMAS = ("marts", "omop", "quality")
IDENTITY_SCHEMAS = ("identity",)
POINTER = "CURRENT"
KEEP = 3

# Snapshot table -> (warehouse table, columns copied). Everything else stays in the warehouse:
# quarantine `content` is the offending record as received, `source_file` paths can name people,
# `patient_id` is identifying and load `message`s can quote file paths or records.
QUALITY_VIEWS = {
    "quality.quarantine_records": (
        "quarantine.records",
        ("load_id", "file_kind", "record_number", "reason_code", "reason", "quarantined_at"),
    ),
    "quality.load_log": (
        "raw.load_log",
        (
            "load_id",
            "file_kind",
            "started_at",
            "finished_at",
            "status",
            "n_loaded",
            "n_duplicate",
            "n_quarantined",
            "duration_s",
        ),
    ),
}


class SnapshotNotFound(IngestionError, FileNotFoundError):
    """No snapshot has been published yet."""


@dataclass(frozen=True)
class Snapshot:
    marts: Path
    identity: Path | None
    published_at: str


def publish(
    warehouse=None, snapshot_dir=None, keep: int = KEEP, now: datetime | None = None
) -> dict:
    """Copy the public and identity schemas into new read-only files and make them current."""
    source = config.warehouse(warehouse).resolve()
    folder = config.snapshot_dir(snapshot_dir)
    folder.mkdir(parents=True, exist_ok=True)
    if not source.exists():
        raise IngestionError(f"warehouse {source} does not exist: run the pipeline first")
    now = now or datetime.now(UTC)
    stamp = _unused_stamp(folder, now.strftime("%Y%m%dT%H%M%SZ"))
    marts = _copy_schemas(
        source, folder / f"marts-{stamp}.duckdb", PUBLIC_SCHEMAS, derived=QUALITY_VIEWS
    )
    if marts is None:
        raise IngestionError(f"warehouse {source} has no marts schema: run dbt build first")
    identity = _copy_schemas(source, folder / f"identity-{stamp}.duckdb", IDENTITY_SCHEMAS)
    pointer = {
        "marts": marts.name,
        "identity": identity.name if identity else None,
        "published_at": now.isoformat(),
    }
    tmp = folder / f".{POINTER}.tmp"
    tmp.write_text(json.dumps(pointer, indent=2))
    os.replace(tmp, folder / POINTER)  # the switch: readers see the old pointer or the new one
    removed = prune(folder, keep)
    log.info("published %s (identity: %s); removed %d old file(s)", marts, identity, len(removed))
    return {**pointer, "removed": [p.name for p in removed]}


def current_snapshot(snapshot_dir=None) -> Snapshot:
    """The current snapshot's files (open them with duckdb.connect(path, read_only=True))."""
    folder = config.snapshot_dir(snapshot_dir)
    try:
        pointer = json.loads((folder / POINTER).read_text())
    except FileNotFoundError:
        raise SnapshotNotFound(
            f"no published snapshot in {folder}: run `make pipeline` (or set SNAPSHOT_DIR)"
        ) from None
    identity = pointer.get("identity")
    return Snapshot(
        marts=folder / pointer["marts"],
        identity=folder / identity if identity else None,
        published_at=pointer["published_at"],
    )


def prune(snapshot_dir=None, keep: int = KEEP) -> list[Path]:
    """Delete all but the newest `keep` snapshots of each kind, never the current ones.

    Also the way to purge snapshots after an erasure: publish, then prune(keep=1)."""
    folder = config.snapshot_dir(snapshot_dir)
    try:
        current = {p.name for p in _as_paths(current_snapshot(folder))}
    except SnapshotNotFound:
        current = set()
    removed = []
    for prefix in ("marts-", "identity-"):
        files = sorted(folder.glob(f"{prefix}*.duckdb"), key=lambda p: p.name, reverse=True)
        for old in files[keep:]:
            if old.name not in current:
                old.unlink(missing_ok=True)
                removed.append(old)
    return removed


def _as_paths(snapshot: Snapshot) -> list[Path]:
    return [p for p in (snapshot.marts, snapshot.identity) if p is not None]


def _unused_stamp(folder: Path, stamp: str) -> str:
    """Two publishes within one second get distinct names; published files are never rewritten."""
    candidate, n = stamp, 1
    while (folder / f"marts-{candidate}.duckdb").exists() or (
        folder / f"identity-{candidate}.duckdb"
    ).exists():
        candidate, n = f"{stamp}-{n}", n + 1
    return candidate


def _copy_schemas(
    source: Path, target: Path, schemas: tuple[str, ...], derived: dict | None = None
) -> Path | None:
    """Materialise every table and view of `schemas` (and the `derived` column subsets) into a
    new file; None if no table or view of `schemas` exists.

    The file is written under a temporary name and renamed when complete, so a snapshot file
    with its final name is always whole."""
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        copied = _materialise(source, tmp, schemas, derived or {})
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if not copied:
        tmp.unlink(missing_ok=True)
        return None
    os.chmod(tmp, 0o444)
    os.replace(tmp, target)
    return target


def _materialise(source: Path, target: Path, schemas: tuple[str, ...], derived: dict) -> int:
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach {_literal(source)} as wh (read_only)")
        objects = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'wh'"
            " union all select schema_name, view_name from duckdb_views()"
            " where database_name = 'wh' and not internal",
        ).fetchall()
        available = {f"{s}.{t}" for s, t in objects}
        # A derived table is always rebuilt from its origin, never copied under its own name.
        objects = sorted((s, t) for s, t in objects if s in schemas and f"{s}.{t}" not in derived)
        for schema in sorted({s for s, _ in objects}):
            con.execute(f"create schema {_ident(schema)}")
        for schema, table in objects:
            name = f"{_ident(schema)}.{_ident(table)}"
            # Views become tables: the snapshot must not depend on the warehouse it came from.
            con.execute(f"create table {name} as select * from wh.{name}")
        if objects:  # only beside the marts: no snapshot is made of the quality tables alone
            _derive(con, derived, available)
        con.execute("detach wh")
        con.execute("checkpoint")
    return len(objects)


def _derive(con, derived: dict, available: set[str]) -> None:
    """Create each `derived` table from its warehouse table, with only the listed columns."""
    for target, (origin, columns) in sorted(derived.items()):
        if origin not in available:
            continue  # nothing loaded yet: the dashboards show their empty state
        schema, table = target.split(".")
        origin_schema, origin_table = origin.split(".")
        con.execute(f"create schema if not exists {_ident(schema)}")
        con.execute(
            f"create table {_ident(schema)}.{_ident(table)} as select "
            + ", ".join(_ident(c) for c in columns)
            + f" from wh.{_ident(origin_schema)}.{_ident(origin_table)}"
        )


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"
