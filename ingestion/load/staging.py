"""Handing rows from Python to DuckDB through a temporary NDJSON file read with explicit column
types: no schema inference, bounded memory, and no pandas/pyarrow conversion layer."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "ingest-"


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def values_sql(rows: Iterable[tuple], columns: list[str]) -> str:
    """A small constant table as a SQL subquery (to alias or select from)."""
    def literal(v) -> str:
        if v is None:
            return "null"
        if isinstance(v, str):
            return sql_string(v)
        return repr(float(v)) if isinstance(v, float) else str(v)

    body = ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
    return f"(select * from (values {body}) as t({', '.join(columns)}))"


@contextmanager
def staged_json(rows: Iterable[dict], columns: dict[str, str]) -> Iterator[str]:
    """Write rows to a temporary NDJSON file; yield a read_json(...) relation with the given
    {column: DuckDB type} columns. The file is removed afterwards."""
    staged = StagedRows(columns, maximum_object_size=268435456)
    try:
        for row in rows:
            staged.write(row)
        yield staged.relation()
    finally:
        staged.close()


class StagedRows:
    """Rows written one by one to a temporary NDJSON file, read back by DuckDB in one statement
    (one big insert lets DuckDB write the rows to the database file as they stream, instead of
    holding a transaction's worth of small inserts in memory)."""

    def __init__(self, columns: dict[str, str], maximum_object_size: int = 16777216):
        self.columns, self.maximum_object_size = columns, maximum_object_size
        handle, self.name = tempfile.mkstemp(prefix=f"{PREFIX}{os.getpid()}-", suffix=".ndjson")
        self.out = os.fdopen(handle, "w", encoding="utf-8")
        self.count = 0

    def write(self, row: dict) -> None:
        self.out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        self.out.write("\n")
        self.count += 1

    def relation(self) -> str:
        self.out.flush()
        spec = "{" + ", ".join(f"{sql_string(k)}: {sql_string(v)}" for k, v in self.columns.items()) + "}"
        return (f"read_json({sql_string(self.name)}, format='newline_delimited', columns={spec}, "
                f"maximum_object_size={self.maximum_object_size})")

    def close(self) -> None:
        self.out.close()
        if os.path.exists(self.name):
            os.unlink(self.name)


def remove_orphans(folder: str | None = None) -> list[Path]:
    """Delete staging files left by loads that were killed (their process is gone): they hold
    patient records, and a 1 GB export leaves more than 1 GB of them."""
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{PREFIX}*.ndjson"):
        match = re.fullmatch(rf"{PREFIX}(\d+)-.*\.ndjson", path.name)
        if match is None or _alive(int(match.group(1))):
            continue
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            pass  # another load removed it first, or it is not ours to remove
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
