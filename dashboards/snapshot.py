"""The published, immutable DuckDB snapshot the dashboards read (ARCHITECTURE.md decision 2).

The pipeline copies the marts after each successful build into a new file under SNAPSHOT_DIR and
then atomically replaces the pointer file `CURRENT` (JSON: marts, identity, published_at). The live
warehouse is never opened: DuckDB lets no other process open a file while it is being written.
A snapshot file never changes once published, so its path is a complete cache key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboards.config import get_settings

POINTER_FILE = "CURRENT"

# Nothing may download at run time, and a snapshot is never written.
_READ_ONLY_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class SnapshotUnavailable(Exception):
    """No usable published snapshot; the message says what to do."""


@dataclass(frozen=True)
class Snapshot:
    marts_path: str
    identity_path: str | None
    published_at: str | None

    @property
    def label(self) -> str:
        return f"data as published {self.published_at or 'at an unknown time'}"


def _inside(directory: Path, name: object) -> Path | None:
    """The pointer names files inside the snapshot folder only; anything else is ignored."""
    if not isinstance(name, str) or not name:
        return None
    candidate = directory / Path(name).name
    return candidate if candidate.is_file() else None


def current_snapshot(snapshot_dir: Path | None = None) -> Snapshot:
    directory = Path(snapshot_dir or get_settings().snapshot_dir)
    pointer = directory / POINTER_FILE
    try:
        published = json.loads(pointer.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SnapshotUnavailable(
            f"No published data yet in {directory}: run the pipeline (make pipeline) first."
        ) from exc
    except (OSError, ValueError) as exc:
        raise SnapshotUnavailable(
            f"The snapshot pointer {pointer} is unreadable: republish with the pipeline."
        ) from exc
    if not isinstance(published, dict):
        raise SnapshotUnavailable(f"The snapshot pointer {pointer} is malformed: republish.")
    marts = _inside(directory, published.get("marts"))
    if marts is None:
        raise SnapshotUnavailable(
            f"The published marts file named in {pointer} is missing: republish with the pipeline."
        )
    identity = _inside(directory, published.get("identity"))
    return Snapshot(
        marts_path=str(marts),
        identity_path=str(identity) if identity else None,
        published_at=published.get("published_at"),
    )


@st.cache_resource(max_entries=4, show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(path, read_only=True, config=_READ_ONLY_CONFIG)


def query(path: str, sql: str, params: list | None = None) -> pd.DataFrame:
    """Run one read-only query; a cursor per call keeps concurrent sessions apart."""
    cursor = _connection(path).cursor()
    try:
        return cursor.execute(sql, params or []).df()
    finally:
        cursor.close()


@st.cache_data(max_entries=16, show_spinner=False)
def tables(path: str) -> frozenset[str]:
    """Qualified names (schema.table) present in a snapshot file."""
    found = query(path, "select table_schema || '.' || table_name as name from information_schema.tables")
    return frozenset(found["name"])


@st.cache_data(max_entries=64, show_spinner=False)
def columns(path: str, table: str) -> frozenset[str]:
    schema, name = table.split(".", 1)
    found = query(
        path,
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, name],
    )
    return frozenset(found["column_name"])
