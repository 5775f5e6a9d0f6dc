"""forEach over member arrays read as typed structs (RootBatch typed reads): one json_transform of
the resource serves its columns and every nested item, and the rows are those the item-by-item
JSON reads give, odd documents included."""

from __future__ import annotations

import duckdb
import pytest

from ingestion.sql_on_fhir import compile_view, conformance

# Raw JSON text, as a sender may write it: numbers in several spellings, an item list that is an
# object (not FHIR), a JSON null item, items without answers, a member whose case differs.
RESPONSES = [
    """{"resourceType": "QuestionnaireResponse", "id": "r1", "status": "completed",
        "subject": {"reference": "Patient/p1"}, "authored": "2025-03-01T08:00:00Z",
        "item": [
          {"linkId": "q1", "answer": [{"valueInteger": 3}, {"valueInteger": 1.50}]},
          {"linkId": "q2", "answer": [{"valueDecimal": 1e3}, {"valueDecimal": -0.0},
                                      {"valueBoolean": true}]},
          {"linkId": "q3", "answer": [{"valueCoding": {"system": "http://loinc.org",
                                                        "code": "LA6568-5", "display": "x"}}]},
          {"linkId": "q4"},
          {"linkId": "q5", "answer": []},
          null,
          {"LinkId": "q6", "answer": [{"valueInteger": true}, {"valueInteger": "7"}]},
          {"linkId": 8, "answer": {"valueInteger": 9}}
        ]}""",
    """{"resourceType": "QuestionnaireResponse", "id": "r2", "status": "in-progress",
        "item": {"linkId": "q1", "answer": [{"valueInteger": 2}]}}""",
    """{"resourceType": "QuestionnaireResponse", "id": "r3", "status": "completed"}""",
    """{"resourceType": "QuestionnaireResponse", "id": "r4", "item": [],
        "subject": {"reference": "Group/g1"}}""",
]

COLUMNS = [
    {"name": "id", "path": "getResourceKey()"},
    {"name": "status", "path": "status", "type": "code"},
    {"name": "patient", "path": "subject.getReferenceKey(Patient)"},
]
ANSWER_COLUMNS = [
    {"name": "answer_index", "path": "%rowIndex", "type": "integer"},
    {"name": "value_integer", "path": "value.ofType(integer)", "type": "integer"},
    {"name": "value_decimal", "path": "value.ofType(decimal)", "type": "decimal"},
    {"name": "code", "path": "value.ofType(Coding).code", "type": "code"},
]

# The same rows read item by item from the JSON, the way the compiler read them before typed reads
ORACLE = """
SELECT json_extract_string(resource, '$.id') AS id,
       json_extract_string(resource, '$.status') AS status,
       CASE WHEN json_extract_string(resource, '$.subject.reference') LIKE 'Patient/%'
            THEN substr(json_extract_string(resource, '$.subject.reference'), 9) END AS patient,
       json_extract_string(item, '$.linkId') AS link_id,
       answer_index - 1 AS answer_index,
       CAST(json_extract(answer, '$.valueInteger') AS INTEGER) AS value_integer,
       CAST(json_extract(answer, '$.valueDecimal') AS DOUBLE) AS value_decimal,
       json_extract_string(answer, '$.valueCoding.code') AS code
FROM responses,
     unnest(json_extract(resource, '$.item[*]')) AS i(item),
     unnest(json_extract(item, '$.answer[*]')) WITH ORDINALITY AS a(answer, answer_index)
"""


def _view(item_select: dict, columns: list | None = None) -> dict:
    return {
        "resourceType": "ViewDefinition",
        "resource": "QuestionnaireResponse",
        "select": [{"column": columns or COLUMNS}, item_select],
    }


NESTED = {
    "forEach": "item",
    "column": [{"name": "link_id", "path": "linkId", "type": "string"}],
    "select": [{"forEach": "answer", "column": ANSWER_COLUMNS}],
}


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    connection.execute("CREATE TABLE responses (resource_type VARCHAR, resource JSON)")
    connection.executemany(
        "INSERT INTO responses VALUES ('QuestionnaireResponse', ?)", [[r] for r in RESPONSES]
    )
    yield connection
    connection.close()


def _rows(con, sql: str) -> list[tuple]:
    return sorted(con.execute(sql).fetchall(), key=repr)


def test_nested_foreach_parses_each_resource_once_and_gives_the_item_by_item_rows(con):
    sql = compile_view(_view(NESTED), source_sql="responses", resource_type_column="resource_type")
    assert sql.count("json_transform(_res,") == 1
    assert "json_extract" not in sql and "\x1f" not in sql
    rows = _rows(con, sql)
    assert rows == _rows(con, ORACLE)
    # hand-checked: r1's eight answers; r2's object-shaped item list, r3, r4 give none
    assert [(r[3], r[5], r[6], r[7]) for r in rows if r[3] == "q1"] == [
        ("q1", 3, None, None),
        ("q1", 2, None, None),  # 1.50 read as an integer rounds half to even
    ]
    assert {r[0] for r in rows} == {"r1"}
    assert len(rows) == 8


def test_for_each_or_null_keeps_items_without_answers(con):
    or_null = {**NESTED, "select": [{"forEachOrNull": "answer", "column": ANSWER_COLUMNS}]}
    sql = compile_view(_view(or_null), source_sql="responses", resource_type_column="resource_type")
    assert sql.count("json_transform(") == 1 and "json_extract" not in sql
    rows = _rows(con, sql)
    # q4 (no answer), q5 (an empty answer list), the JSON null item and the item whose answer is
    # an object (not a list) give one row of NULLs each, with the index 0; q2's third answer is a
    # Boolean, which no column reads
    empty = [(r[3], r[4]) for r in rows if r[5:] == (None, None, None)]
    assert sorted(empty, key=repr) == [("8", 0), ("q2", 2), ("q4", 0), ("q5", 0), (None, 0)]
    assert len(rows) == 8 + 4


def test_reads_that_do_not_form_one_tree_fall_back_to_a_typed_list_of_the_array(con):
    # `subject` read as text (exists()) and `subject.reference` too: not one schema for the resource
    columns = COLUMNS + [{"name": "has_subject", "path": "subject.exists()", "type": "boolean"}]
    sql = compile_view(
        _view(NESTED, columns), source_sql="responses", resource_type_column="resource_type"
    )
    assert "json_transform(json_extract(_res, '$.item')" in sql
    assert "json_transform(_res," not in sql
    rows = [r[:3] + r[4:] for r in _rows(con, sql)]
    assert rows == _rows(con, ORACLE)


def test_an_item_read_as_json_is_read_item_by_item(con):
    # where() needs each answer's JSON: the answers are not typed, their items still are
    body = {
        **NESTED,
        "select": [
            {
                "forEach": "answer.where(value.ofType(integer) > 2)",
                "column": [{"name": "big", "path": "value.ofType(integer)", "type": "integer"}],
            }
        ],
    }
    sql = compile_view(_view(body), source_sql="responses", resource_type_column="resource_type")
    assert "json_extract(" in sql
    rows = _rows(con, sql)
    # the answer written as the text "7" reads as the integer 7, as a cast of its JSON does
    assert [(r[3], r[4]) for r in rows] == [("q1", 3), (None, 7)]


def test_an_item_read_as_json_still_gives_its_answers_typed(con):
    # answer.count() reads each item's JSON, so the items are parsed one by one; their answers
    # come from one json_transform of each item's answer list
    body = {
        **NESTED,
        "column": NESTED["column"] + [{"name": "n", "path": "answer.count()", "type": "integer"}],
    }
    sql = compile_view(_view(body), source_sql="responses", resource_type_column="resource_type")
    assert "json_transform(json_extract(_x" in sql and "json_transform(_res," not in sql
    rows = _rows(con, sql)
    assert [r[:4] + r[5:] for r in rows] == _rows(con, ORACLE)
    assert sorted({(r[3], r[4]) for r in rows}, key=repr) == [
        ("q1", 2),
        ("q2", 3),
        ("q3", 1),
        (None, 2),
    ]


def test_values_read_as_json_keep_the_json_reads():
    # json_transform would read the JSON null of the first component's code as SQL NULL, where
    # json_extract (the reads of every other document) gives JSON 'null': no typed reads here
    resource = {
        "resourceType": "Observation",
        "id": "o1",
        "component": [{"code": None, "valueInteger": 1}, {"code": {"text": "x"}}],
    }
    view = {
        "resourceType": "ViewDefinition",
        "resource": "Observation",
        "select": [
            {"column": [{"name": "id", "path": "id"}]},
            {
                "forEach": "component",
                "column": [
                    {"name": "code", "path": "code"},
                    {"name": "value", "path": "value.ofType(integer)", "type": "integer"},
                ],
            },
        ],
    }
    connection = conformance.fixture_connection([resource])
    try:
        sql = compile_view(view, source_sql=conformance.FIXTURE_TABLE, resource_type_column=None)
        assert "json_transform" not in sql and "json_extract(_x" in sql
        rows = sorted(connection.execute(sql).fetchall(), key=repr)
    finally:
        connection.close()
    assert rows == [("o1", "null", 1), ("o1", '{"text":"x"}', None)]
