"""The dbt FHIR staging models are generated from the ViewDefinitions kept in the repository."""

from __future__ import annotations

import json

import pytest

from ingestion.sql_on_fhir import ViewDefinitionError, load_view, view_columns
from ingestion.sql_on_fhir import generate_staging as gen

from .helpers import OBSERVATIONS, PATIENTS, build_warehouse

VIEW_FILES = sorted(gen.VIEW_DIR.glob("*.json"))


def test_committed_staging_models_are_up_to_date_with_their_view_definitions():
    assert VIEW_FILES, f"no ViewDefinitions in {gen.VIEW_DIR}"
    for model_path, expected in gen.generate().items():
        assert model_path.is_file(), f"{model_path.name} missing: run {gen.__name__}"
        assert model_path.read_text(encoding="utf-8") == expected, (
            f"{model_path.name} is out of date: run python -m {gen.__name__}"
        )
    assert gen.main(["--check"]) == 0


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    resources = (
        OBSERVATIONS
        + PATIENTS
        + [
            {
                "resourceType": "QuestionnaireResponse",
                "id": "qr1",
                "status": "completed",
                "questionnaire": "http://example.org/Questionnaire/phq-9",
                "subject": {"reference": "Patient/p1"},
                "authored": "2025-03-01T09:00:00+01:00",
                "item": [
                    {"linkId": "phq9-1", "answer": [{"valueInteger": 2}]},
                    {"linkId": "phq9-2"},
                ],
            },
        ]
    )
    connection = build_warehouse(tmp_path_factory.mktemp("wh") / "warehouse.duckdb", resources)
    yield connection
    connection.close()


@pytest.mark.parametrize("view_file", VIEW_FILES, ids=lambda p: p.stem)
def test_generated_model_runs_with_the_contract_columns(con, view_file):
    model = (gen.MODEL_DIR / f"{view_file.stem}.sql").read_text(encoding="utf-8")
    # as dbt renders it in a view or a full build: every raw row
    sql = gen.CONFIG_BLOCK.sub("", model).replace(gen.RAW_ROWS, "SELECT * FROM raw.fhir_resources WHERE true")
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    assert names == list(gen.SOURCE_COLUMNS) + view_columns(
        {"select": load_view(view_file)["select"]}
    )
    rows = cursor.fetchall()
    if view_file.stem == "stg_fhir__observation_components":
        assert sorted(r[names.index("code")] for r in rows) == ["8462-4", "8480-6"]
    if view_file.stem == "stg_fhir__questionnaire_response_items":  # forEach answer: 1 row
        assert [(r[names.index("link_id")], r[names.index("value_integer")]) for r in rows] == [
            ("phq9-1", 2)
        ]


def test_model_name_and_file_name_must_agree(tmp_path):
    view = {
        "name": "patients",
        "resource": "Patient",
        "select": [{"column": [{"name": "id", "path": "id"}]}],
    }
    with pytest.raises(ViewDefinitionError, match="stg_fhir__"):
        gen.render(view, tmp_path / "patients.json")
    view["name"] = "stg_fhir__people"
    with pytest.raises(ViewDefinitionError, match="file name"):
        gen.render(view, tmp_path / "patients.json")


def test_existing_config_block_is_kept(tmp_path):
    view = {
        "name": "stg_fhir__people",
        "resource": "Patient",
        "select": [{"column": [{"name": "id", "path": "id"}]}],
    }
    text = gen.render(
        view, tmp_path / "stg_fhir__people.json", "{{ config(materialized='table') }}\nselect 1"
    )
    assert "{{ config(materialized='table') }}" in text and text.startswith("-- GENERATED")


def test_a_top_level_for_each_reads_only_resources_naming_its_element():
    components = load_view(gen.VIEW_DIR / "stg_fhir__observation_components.json")
    observations = load_view(gen.VIEW_DIR / "stg_fhir__observations.json")
    assert gen.raw_rows(components) == gen.RAW_ROWS + " AND contains(CAST(resource AS VARCHAR), 'component\":')"
    assert gen.raw_rows(observations) == gen.RAW_ROWS


def test_the_element_search_keeps_every_resource_with_the_element():
    import duckdb

    condition = gen.raw_rows(load_view(gen.VIEW_DIR / "stg_fhir__observation_components.json")).split(" AND ", 1)[1]
    resources = {
        "panel": {"resourceType": "Observation", "component": [{"code": {"text": "systolic"}}]},
        "nested": {"resourceType": "Observation", "extension": [{"component": []}]},
        "other": {"resourceType": "Observation", "valueQuantity": {"value": 1}},
        "look-alike": {"resourceType": "Observation", "subcomponent": 1},
    }
    con = duckdb.connect()
    con.execute("create table raw (name varchar, resource json)")
    con.executemany("insert into raw values (?, ?)", [(n, json.dumps(r, separators=(",", ":"))) for n, r in resources.items()])
    kept = {name for (name,) in con.execute(f"select name from raw where {condition}").fetchall()}
    # a superset of the resources naming the element: the JSON path then reads the element itself
    assert kept == {"panel", "nested", "look-alike"}
