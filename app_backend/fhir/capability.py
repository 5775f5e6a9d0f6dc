"""The server's CapabilityStatement (GET /fhir/metadata)."""

from __future__ import annotations

from app_backend.db import utcnow

SEARCH_PARAMS = [
    {"name": "patient", "type": "reference"},
    {"name": "code", "type": "token"},
    {"name": "date", "type": "date"},
    {"name": "_since", "type": "date", "documentation": "lastUpdated at or after this instant"},
    {"name": "_count", "type": "number"},
]


def capability_statement(base: str, record_types: tuple[str, ...]) -> dict:
    def resource(kind: str, interactions: list[str], params=SEARCH_PARAMS, operations=()):
        entry = {
            "type": kind,
            "interaction": [{"code": i} for i in interactions],
            "searchParam": list(params),
        }
        if operations:
            entry["operation"] = list(operations)
        return entry

    summary = {"name": "summary", "definition": "http://hl7.org/fhir/uv/ips/OperationDefinition/summary"}
    export = {"name": "export", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"}
    resources = [
        resource("Patient", ["read", "search-type"], [{"name": "_id", "type": "token"}], [summary, export]),
        *(resource(t, ["read", "search-type", "create"]) for t in record_types),
        resource("Task", ["read", "search-type"]),
        resource("Questionnaire", ["read", "search-type"], [{"name": "url", "type": "uri"}]),
    ]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": utcnow().isoformat(),
        "kind": "instance",
        "software": {"name": "survivorship app backend", "version": "1.0.0"},
        "implementation": {"description": "Survivor app backend", "url": f"{base}/fhir"},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "security": {
                "cors": True,
                "service": [{"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                    "code": "OAuth",
                }]}],
                "description": "OAuth2 password flow at /auth/token; send Authorization: Bearer.",
            },
            "resource": resources,
            "operation": [{
                "name": "export",
                "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
            }],
        }],
    }
