"""Small real warehouses for the SQL-on-FHIR tests (no conftest: plain helpers)."""

from __future__ import annotations

import hashlib
import json

from ingestion import warehouse

OBSERVATIONS = [
    {
        "resourceType": "Observation",
        "id": "bp1",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2025-03-01T08:00:00+01:00",
        "component": [
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                "valueQuantity": {"value": 128, "unit": "mm[Hg]"},
            },
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
                "valueQuantity": {"value": 84.5, "unit": "mm[Hg]"},
            },
        ],
    },
    {
        "resourceType": "Observation",
        "id": "w1",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
        "subject": {"reference": "Patient/p2"},
        "effectiveDateTime": "2025-03-02",
        "valueQuantity": {"value": 71.2, "unit": "kg"},
    },
]
PATIENTS = [
    {
        "resourceType": "Patient",
        "id": "p1",
        "active": True,
        "birthDate": "1961-04-02",
        "name": [{"family": "Doe", "given": ["Ann", "B"]}, {"family": "Roe"}],
    },
    {"resourceType": "Patient", "id": "p2", "active": False},
]


def build_warehouse(path, resources=OBSERVATIONS + PATIENTS):
    """A warehouse file made by ingestion.warehouse.connect() holding `resources` in raw."""
    con = warehouse.connect(path)
    for resource in resources:
        text = json.dumps(resource, sort_keys=True, separators=(",", ":"))
        con.execute(
            "INSERT INTO raw.fhir_resources (content_hash, resource_type, resource_id, patient_id,"
            " source_kind, source_file, load_id, loaded_at, resource)"
            " VALUES (?, ?, ?, NULL, 'fhir-ndjson', 'test.ndjson', 'load-1', now(), ?)",
            [
                hashlib.md5(text.encode(), usedforsecurity=False).hexdigest(),  # the loader's key
                resource["resourceType"],
                resource["id"],
                text,
            ],
        )
    return con


BP_VIEW = {
    "resourceType": "ViewDefinition",
    "resource": "Observation",
    "status": "active",
    "select": [
        {
            "column": [
                {"name": "id", "path": "getResourceKey()"},
                {"name": "patient_id", "path": "subject.getReferenceKey(Patient)"},
                {"name": "effective", "path": "effective.ofType(dateTime)", "type": "dateTime"},
            ]
        },
        {
            "forEach": "component",
            "column": [
                {"name": "component_index", "path": "%rowIndex", "type": "integer"},
                {
                    "name": "code",
                    "path": "code.coding.where(system = 'http://loinc.org').code.first()",
                    "type": "code",
                },
                {"name": "value", "path": "value.ofType(Quantity).value", "type": "decimal"},
                {"name": "unit", "path": "value.ofType(Quantity).unit", "type": "string"},
            ],
        },
    ],
}
