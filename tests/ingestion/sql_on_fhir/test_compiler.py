"""compile_view / fetch_view against a real warehouse, beyond what the HL7 suite covers."""

from __future__ import annotations

import copy

import duckdb
import pytest

from ingestion.errors import IngestionError
from ingestion.sql_on_fhir import ViewDefinitionError, compile_view, fetch_view, run_view
from ingestion.sql_on_fhir.view_compiler import MAX_REPEAT_DEPTH

from .helpers import BP_VIEW, build_warehouse


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = build_warehouse(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")
    yield connection
    connection.close()


def test_foreach_view_over_raw_fhir_resources(con):
    rows = fetch_view(con, BP_VIEW)
    assert sorted(rows, key=lambda r: r["component_index"]) == [
        {
            "id": "bp1",
            "patient_id": "p1",
            "effective": "2025-03-01T08:00:00+01:00",
            "component_index": 0,
            "code": "8480-6",
            "value": 128.0,
            "unit": "mm[Hg]",
        },
        {
            "id": "bp1",
            "patient_id": "p1",
            "effective": "2025-03-01T08:00:00+01:00",
            "component_index": 1,
            "code": "8462-4",
            "value": 84.5,
            "unit": "mm[Hg]",
        },
    ]


def test_column_types_follow_fhir_types_and_tags(con):
    view = copy.deepcopy(BP_VIEW)
    view["select"][0]["column"][2]["tag"] = [{"name": "ansi/type", "value": "TIMESTAMPTZ"}]
    relation = run_view(con, view)
    types = dict(zip(relation.columns, (str(t) for t in relation.types)))
    assert types == {
        "id": "VARCHAR",
        "patient_id": "VARCHAR",
        "effective": "TIMESTAMP WITH TIME ZONE",
        "component_index": "INTEGER",
        "code": "VARCHAR",
        "value": "DOUBLE",
        "unit": "VARCHAR",
    }


def test_collection_column_and_boolean(con):
    view = {
        "resource": "Patient",
        "select": [
            {
                "column": [
                    {"name": "id", "path": "id"},
                    {"name": "active", "path": "active", "type": "boolean"},
                    {"name": "given", "path": "name.given", "collection": True},
                    {"name": "family", "path": "name.family.join(' / ')"},
                ]
            }
        ],
    }
    rows = {r["id"]: r for r in fetch_view(con, view)}
    assert rows["p1"] == {"id": "p1", "active": True, "given": ["Ann", "B"], "family": "Doe / Roe"}
    assert rows["p2"] == {"id": "p2", "active": False, "given": [], "family": ""}


def test_several_values_in_a_single_column_is_a_clear_error(con):
    view = {
        "resource": "Patient",
        "select": [{"column": [{"name": "family", "path": "name.family"}]}],
    }
    with pytest.raises(ViewDefinitionError, match="'family'.*more than one value"):
        fetch_view(con, view)


def test_view_errors_are_ingestion_errors_with_one_line():
    with pytest.raises(IngestionError) as raised:
        compile_view(
            {"resource": "Patient", "select": [{"column": [{"name": "x", "path": "name.("}]}]}
        )
    assert "\n" not in str(raised.value) and "invalid FHIRPath" in str(raised.value)
    for bad, message in [
        ({"resource": "Patient", "select": []}, "non-empty 'select'"),
        ({"resource": "Patient", "select": [{"column": [{"name": "1x", "path": "id"}]}]}, "name"),
        (
            {
                "resource": "Patient",
                "select": [{"column": [{"name": "a", "path": "id"}, {"name": "A", "path": "id"}]}],
            },
            "more than once",
        ),
        (
            {
                "resource": "Patient",
                "select": [{"column": [{"name": "a", "path": "frobnicate()"}]}],
            },
            "not supported",
        ),
    ]:
        with pytest.raises(ViewDefinitionError, match=message):
            compile_view(bad)


def test_compiled_sql_is_deterministic_and_runs_without_a_type_column(con):
    assert compile_view(BP_VIEW) == compile_view(copy.deepcopy(BP_VIEW))
    sql = compile_view(
        BP_VIEW, source_sql="SELECT resource FROM raw.fhir_resources", resource_type_column=None
    )
    assert len(con.execute(sql).fetchall()) == 2


def test_repeat_deeper_than_the_unrolled_depth_is_an_error_not_a_silent_cut():
    def nested(depth):
        item = {"linkId": str(depth)}
        if depth < MAX_REPEAT_DEPTH + 1:
            item["item"] = [nested(depth + 1)]
        return item

    def run(resource):
        con = duckdb.connect()
        con.execute("CREATE TABLE r (resource JSON)")
        con.execute("INSERT INTO r VALUES (?)", [__import__("json").dumps(resource)])
        view = {
            "resource": "QuestionnaireResponse",
            "select": [
                {
                    "repeat": ["item"],
                    "column": [
                        {"name": "link", "path": "linkId"},
                        {"name": "i", "path": "%rowIndex"},
                    ],
                }
            ],
        }
        return fetch_view(con, view, source_sql="r", resource_type_column=None)

    deep = {"resourceType": "QuestionnaireResponse", "id": "q", "item": [nested(1)]}
    with pytest.raises(ViewDefinitionError, match="nests deeper"):
        run(deep)
    deep["item"][0] = nested(2)  # exactly MAX_REPEAT_DEPTH levels
    rows = run(deep)
    assert [r["link"] for r in sorted(rows, key=lambda r: r["i"])] == [
        str(n) for n in range(2, MAX_REPEAT_DEPTH + 2)
    ]


def test_extended_fhirpath_functions_used_by_staging_contracts(con):
    view = {
        "resource": "Observation",
        "select": [
            {
                "column": [
                    {"name": "id", "path": "id"},
                    {
                        "name": "day",
                        "path": "effective.ofType(dateTime).substring(0, 10)",
                        "tag": [{"name": "ansi/type", "value": "DATE"}],
                    },
                    {
                        "name": "unit",
                        "path": "(value.ofType(Quantity).code | value.ofType(Quantity).unit).first()",
                    },
                    {"name": "kind", "path": "iif(component.exists(), 'panel', 'single')"},
                    {
                        "name": "loinc",
                        "path": "code.coding.code.first().startsWith('8')",
                        "type": "boolean",
                    },
                    {"name": "patient", "path": "subject.reference.replace('Patient/', '')"},
                ]
            }
        ],
    }
    rows = {r["id"]: r for r in fetch_view(con, view)}
    assert str(rows["bp1"]["day"]) == "2025-03-01" and rows["bp1"]["kind"] == "panel"
    assert rows["w1"] == {
        "id": "w1",
        "day": rows["w1"]["day"],
        "unit": "kg",
        "kind": "single",
        "loinc": False,
        "patient": "p2",
    }
    assert rows["bp1"]["unit"] is None and rows["bp1"]["loinc"] is True


def test_source_columns_come_first_unchanged(con):
    sql = compile_view(BP_VIEW, source_columns=("content_hash", "loaded_at"))
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    assert names[:3] == ["content_hash", "loaded_at", "id"]
    assert all(len(row[0]) == 32 for row in cursor.fetchall())
    with pytest.raises(ViewDefinitionError, match="clashes"):
        compile_view(BP_VIEW, source_columns=("id",))
