"""Handing rows from Python to DuckDB through a temporary NDJSON file read with explicit column
types: no schema inference, bounded memory, and no pandas/pyarrow conversion layer."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


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
    handle, name = tempfile.mkstemp(prefix="ingest-", suffix=".ndjson")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
                out.write("\n")
        spec = "{" + ", ".join(f"{sql_string(k)}: {sql_string(v)}" for k, v in columns.items()) + "}"
        yield (f"read_json({sql_string(name)}, format='newline_delimited', columns={spec}, "
               f"maximum_object_size=268435456)")
    finally:
        os.unlink(name)


class StagedRows:
    """Rows written one by one to a temporary NDJSON file, read back by DuckDB in one statement
    (one big insert lets DuckDB write the rows to the database file as they stream, instead of
    holding a transaction's worth of small inserts in memory)."""

    def __init__(self, columns: dict[str, str]):
        self.columns = columns
        handle, self.name = tempfile.mkstemp(prefix="ingest-", suffix=".ndjson")
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
                f"maximum_object_size=16777216)")

    def close(self) -> None:
        self.out.close()
        if os.path.exists(self.name):
            os.unlink(self.name)
