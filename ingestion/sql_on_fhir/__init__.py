"""SQL-on-FHIR v2: ViewDefinitions compiled to one DuckDB query over raw FHIR JSON.

    from ingestion.sql_on_fhir import compile_view, run_view
    sql = compile_view(view)                      # over raw.fhir_resources.resource
    rows = run_view(con, view).fetchall()         # a DuckDB relation

`source_sql` may be any table, view or parenthesised query with a JSON column of FHIR resources;
pass resource_type_column=None when it has no column holding the resource type.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import duckdb

from ingestion.sql_on_fhir.errors import RUNTIME_ERROR_PREFIX, ViewDefinitionError
from ingestion.sql_on_fhir.view_compiler import ViewCompiler, view_columns

__all__ = [
    "ViewDefinitionError",
    "compile_view",
    "fetch_view",
    "load_view",
    "run_view",
    "view_columns",
    "view_errors",
]

DEFAULT_SOURCE = "raw.fhir_resources"


def compile_view(
    view: dict,
    source_sql: str = DEFAULT_SOURCE,
    resource_column: str = "resource",
    resource_type_column: str | None = "resource_type",
    source_columns: tuple[str, ...] = (),
) -> str:
    """The DuckDB SELECT producing the view's rows; ViewDefinitionError if the view is invalid.

    `source_columns` are columns of the source row (e.g. content_hash, loaded_at of
    raw.fhir_resources) returned unchanged before the view's own columns.
    """
    return ViewCompiler(view).compile(
        source_sql, resource_column, resource_type_column, tuple(source_columns)
    )


@contextlib.contextmanager
def view_errors():
    """Re-raise the compiled query's own run-time checks as ViewDefinitionError."""
    try:
        yield
    except duckdb.Error as exc:
        message = str(exc)
        if RUNTIME_ERROR_PREFIX in message:
            detail = message.split(RUNTIME_ERROR_PREFIX, 1)[1].splitlines()[0]
            raise ViewDefinitionError(detail) from exc
        raise


def run_view(con, view: dict, **kwargs):
    """A DuckDB relation of the view (lazy: wrap fetching in view_errors() for clear errors).

    Keyword arguments are those of compile_view."""
    return con.sql(compile_view(view, **kwargs))


def fetch_view(con, view: dict, **kwargs) -> list[dict]:
    """The view's rows as dicts, run-time ViewDefinition errors included as ViewDefinitionError."""
    sql = compile_view(view, **kwargs)
    with view_errors():
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def load_view(path: str | Path) -> dict:
    """Read a ViewDefinition JSON file, with a one-line error for a missing or malformed file."""
    path = Path(path)
    try:
        view = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ViewDefinitionError(f"view file {path} does not exist") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ViewDefinitionError(f"view file {path} is not valid JSON: {exc}") from None
    if not isinstance(view, dict):
        raise ViewDefinitionError(f"view file {path} must hold one ViewDefinition JSON object")
    return view
