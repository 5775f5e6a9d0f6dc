"""FHIRPath parsing and the semantics of compiled expressions on hand-made resources."""

from __future__ import annotations

import json

import duckdb
import pytest

from ingestion.sql_on_fhir import ViewDefinitionError, fetch_view
from ingestion.sql_on_fhir import fhirpath_parser as fp

RESOURCES = [
    {
        "resourceType": "Patient",
        "id": "p1",
        "birthDate": "1961-04-02",
        "name": [
            {"use": "official", "family": "Doe", "given": ["Ann", "B"]},
            {"family": "Roe", "given": ["C"]},
        ],
        "extension": [
            {"url": "http://x/e1", "valueString": "s1"},
            {"url": "http://x/e2", "valueCodeableConcept": {"coding": [{"code": "c9"}]}},
        ],
        "managingOrganization": {"reference": "https://fhir.example/Organization/o1/_history/3"},
    },
    # An R5-only resource type: no schema, navigated dynamically.
    {"resourceType": "Transport", "id": "t1", "input": [{"valueString": "a"}, {"valueInteger": 3}]},
]


def test_precedence_and_literals():
    node = fp.parse("a.b = 'x\\'y' and c.where($this > 1.5).exists() or %k implies d")
    assert isinstance(node, fp.Binary) and node.op == "implies"
    assert node.left.op == "or" and node.left.left.op == "and"
    assert node.left.left.left.right == fp.Literal("x'y", "string")
    assert fp.parse("-2 + 3 * 4").op == "+"
    assert fp.parse("@2020-01-02T10:00:00Z") == fp.Literal("2020-01-02T10:00:00Z", "dateTime")
    assert fp.parse("`given`.first()") == fp.Call(fp.Member(None, "given"), "first", ())


@pytest.mark.parametrize("text", ["", "name.", "name[0", "a ==", "first(", "'open", "@@", "a b"])
def test_malformed_fhirpath_is_a_view_error(text):
    with pytest.raises(ViewDefinitionError, match="FHIRPath"):
        fp.parse(text)


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    connection.execute("CREATE TABLE r (resource_type VARCHAR, resource JSON)")
    connection.executemany(
        "INSERT INTO r VALUES (?, ?)", [(r["resourceType"], json.dumps(r)) for r in RESOURCES]
    )
    yield connection
    connection.close()


def evaluate(con, resource_type: str, paths: list[str], **select) -> list[dict]:
    view = {
        "resource": resource_type,
        "select": [
            {"column": [{"name": f"c{i}", "path": p} for i, p in enumerate(paths)], **select}
        ],
    }
    return fetch_view(con, view, source_sql="r")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("name.where(use = 'official').given.first()", "Ann"),
        ("name.given.where($this = 'C').exists()", True),
        ("extension('http://x/e1').value.ofType(string)", "s1"),
        ("extension('http://x/e2').value.ofType(CodeableConcept).coding.code.first()", "c9"),
        ("birthDate < @1970-01-01", True),
        ("managingOrganization.getReferenceKey(Organization)", "o1"),
        ("managingOrganization.getReferenceKey(Patient)", None),
        ("name.given.count()", 3),
        ("name.given.distinct().count()", 3),
        ("(name.family | name.family).count()", 2),
        ("name.exists(family = 'Roe')", True),
        ("name[1].given.first()", "C"),
        ("name.first().family & ' ' & name.last().family", "Doe Roe"),
        ("%resource.id", "p1"),
        ("(name.count() + 1) div 2", 1),
        ("name.family.first() ~ 'DOE'", True),
    ],
)
def test_patient_expressions(con, path, expected):
    assert evaluate(con, "Patient", [path]) == [{"c0": expected}]


def test_unknown_resource_types_are_navigated_dynamically(con):
    rows = evaluate(
        con,
        "Transport",
        ["id", "input.value.ofType(string)", "input.value.ofType(integer) + 1", "input.count()"],
    )
    assert rows == [{"c0": "t1", "c1": "a", "c2": 4, "c3": 2}]


def test_for_each_over_primitives_keeps_row_index_and_resource(con):
    rows = evaluate(con, "Patient", ["$this", "%rowIndex", "%resource.id"], forEach="name.given")
    assert rows == [
        {"c0": "Ann", "c1": 0, "c2": "p1"},
        {"c0": "B", "c1": 1, "c2": "p1"},
        {"c0": "C", "c1": 2, "c2": "p1"},
    ]


REFERENCE_FORMS = [
    ("Patient/p-1.a", "p-1.a"),  # the plain form, read without the capture
    ("Patient/" + "x" * 64, "x" * 64),
    ("Patient/" + "x" * 65, None),
    ("Patient/", None),
    ("Patient/a b", None),
    ("Patient/12/_history/3", "12"),
    ("http://h.example/fhir/Patient/12", "12"),
    ("https://h.example/fhir/Patient/12/_history/1", "12"),
    ("Group/12", None),
    ("XPatient/12", None),
    ("Patient/12/", None),
    ("patient/12", None),
    ("#contained", None),
]


def _observation_table(observation: dict):
    connection = duckdb.connect()
    connection.execute("CREATE TABLE r (resource_type VARCHAR, resource JSON)")
    connection.execute("INSERT INTO r VALUES ('Observation', ?)", [json.dumps(observation)])
    return connection


@pytest.mark.parametrize(("reference", "expected"), REFERENCE_FORMS)
def test_get_reference_key_of_each_reference_form(reference, expected):
    with _observation_table({"resourceType": "Observation", "subject": {"reference": reference}}) as connection:
        assert evaluate(connection, "Observation", ["subject.getReferenceKey(Patient)"]) == [{"c0": expected}]


def test_get_reference_key_of_a_list_of_references_keeps_the_ids_in_order():
    performers = [{"reference": reference} for reference, _ in REFERENCE_FORMS]
    with _observation_table({"resourceType": "Observation", "performer": performers}) as connection:
        view = {"resource": "Observation", "select": [{"column": [
            {"name": "keys", "path": "performer.getReferenceKey(Patient)", "collection": True}]}]}
        assert fetch_view(connection, view, source_sql="r") == [
            {"keys": [expected for _, expected in REFERENCE_FORMS if expected is not None]}
        ]
