"""Scalars are read from their text (one json_extract_string per document): the values must be
those a cast of the JSON gives, and a JSON null is an empty collection, as FHIRPath reads it."""

from __future__ import annotations

import pytest

from ingestion.sql_on_fhir import compile_view, conformance

# valueQuantity.value, valueInteger and valueBoolean as valid FHIR writes them, and as odd senders
# do (a JSON Boolean for a number, a fraction for an integer, a number for a Boolean).
DECIMALS = ["131", "1.5", "1e3", "-0.0", '"131"', "true", "false", "12345678901234567890", "0.1"]
INTEGERS = ["131", "2.5", "-2.5", "3.5", "1.5", "true", "false", '"131"', "1e3", "-7"]
BOOLEANS = ["true", "false", "1", "0", "2.5", "-0.0", '"true"', '"false"']


def _observations() -> list[dict]:
    import json

    resources = []
    for kind, texts in (("Quantity", DECIMALS), ("Integer", INTEGERS), ("Boolean", BOOLEANS)):
        for i, text in enumerate(texts):
            value = json.loads(text)
            element = {"Quantity": {"value": value}}.get(kind, value)
            resources.append(
                {
                    "resourceType": "Observation",
                    "id": f"{kind.lower()}-{i}",
                    "status": "final",
                    "code": {"text": kind},
                    f"value{kind}": element,
                    "component": [{"code": {"text": kind}, f"value{kind}": element}],
                }
            )
    return resources


COLUMNS = [
    {"name": "id", "path": "id", "type": "id"},
    {"name": "dec", "path": "value.ofType(Quantity).value", "type": "decimal"},
    {"name": "int", "path": "value.ofType(integer)", "type": "integer"},
    {"name": "bool", "path": "value.ofType(boolean)", "type": "boolean"},
]
# `(a | b).first()`: the first text present.
EFFECTIVE = {
    "name": "effective",
    "path": "(effective.ofType(dateTime) | effective.ofType(Period).start).first()",
    "type": "dateTime",
}
UNIT = {
    "name": "unit",
    "path": "(value.ofType(Quantity).code | value.ofType(Quantity).unit).first()",
    "type": "code",
}
ORACLE = """
SELECT json_extract_string(resource, '$.id') AS id,
       CAST(json_extract(resource, '$.valueQuantity.value') AS DOUBLE) AS dec,
       CAST(json_extract(resource, '$.valueInteger') AS INTEGER) AS int,
       CAST(json_extract(resource, '$.valueBoolean') AS BOOLEAN) AS bool
FROM conformance_resources
"""


def _view(columns: list | None = None, select: list | None = None) -> dict:
    """An Observation ViewDefinition of these top-level columns (or this select)."""
    select = select or [{"column": columns}]
    return {"resourceType": "ViewDefinition", "resource": "Observation", "select": select}


@pytest.fixture(scope="module")
def con():
    connection = conformance.fixture_connection(_observations())
    yield connection
    connection.close()


def _rows(con, sql: str) -> list[tuple]:
    return sorted(con.execute(sql).fetchall(), key=lambda row: row[0])


@pytest.mark.parametrize("where", ["root", "forEach item", "forEach item, one path"])
def test_typed_scalars_read_from_text_equal_a_cast_of_their_json(con, where):
    if where == "root":
        select = [{"column": COLUMNS}]
    else:
        body = COLUMNS[1:] if where == "forEach item" else COLUMNS[1:2]
        select = [{"column": COLUMNS[:1]}, {"forEach": "component", "column": body}]
    view = _view(select=select)
    sql = compile_view(view, source_sql="conformance_resources")
    assert "json_extract(" not in sql.replace("json_extract(_res, '$.component[*]')", "")
    names = [c["name"] for c in (COLUMNS if where != "forEach item, one path" else COLUMNS[:2])]
    oracle = _rows(con, f"SELECT {', '.join(names)} FROM ({ORACLE})")
    assert _rows(con, sql) == oracle


def test_a_json_null_is_an_empty_collection():
    resource = {
        "resourceType": "Observation",
        "id": "o1",
        "status": None,
        "code": {"text": None},
        "effectiveDateTime": None,
        "effectivePeriod": {"start": "2025-03-01"},
        "valueQuantity": {"code": None, "unit": "kg", "value": None},
        "component": [{"code": {"text": None}}],
    }
    view = _view(
        [
            {"name": "status", "path": "status", "type": "code"},
            {"name": "has_status", "path": "status.exists()", "type": "boolean"},
            {"name": "has_text", "path": "code.text.exists()", "type": "boolean"},
            EFFECTIVE,
            UNIT,
            {"name": "value", "path": "value.ofType(Quantity).value", "type": "decimal"},
        ]
    )
    # one path read from each item: not batched, tested with json_type
    view["select"].append(
        {
            "forEach": "component",
            "column": [{"name": "item_text", "path": "code.text.exists()", "type": "boolean"}],
        }
    )
    con = conformance.fixture_connection([resource])
    try:
        row = con.execute(compile_view(view, source_sql="conformance_resources")).fetchone()
    finally:
        con.close()
    assert row == (None, False, False, "2025-03-01", "kg", None, False)


def test_a_document_is_parsed_once_for_its_scalars():
    view = _view(
        [
            {"name": "id", "path": "id", "type": "id"},
            {"name": "value", "path": "value.ofType(Quantity).value", "type": "decimal"},
            UNIT,
            {"name": "flag", "path": "value.ofType(boolean)", "type": "boolean"},
            {"name": "has_subject", "path": "subject.exists()", "type": "boolean"},
        ]
    )
    sql = compile_view(
        view, source_sql="conformance_resources", resource_type_column="resource_type"
    )
    assert sql.count("json_extract_string(_res,") == 1
    assert "json_extract(" not in sql and "\x1f" not in sql
