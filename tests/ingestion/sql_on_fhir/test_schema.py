"""The committed FHIR R4B element table (regenerate: python -m ingestion.sql_on_fhir.schema_build).

Rebuilding it imports every fhir.resources model (~20 s on a busy machine), too slow for the suite;
these checks pin the facts the compiler relies on."""

from __future__ import annotations

from ingestion.sql_on_fhir import schema


def test_cardinality_and_choice_elements():
    assert schema.element("Patient", "name") == schema.Element("HumanName", True)
    assert schema.element("HumanName", "family") == schema.Element("string", False)
    value = schema.element("Observation", "value")
    assert value.choices["Quantity"] == "Quantity" and value.choices["DateTime"] == "dateTime"
    assert schema.element("Patient", "nonsense") is None
    assert schema.is_resource_type("QuestionnaireResponse") and not schema.is_resource_type(
        "HumanName"
    )
