"""Validation at the API edge with fhir.resources' R4B models, and FHIR-shaped errors."""

from __future__ import annotations

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

MAX_ISSUES = 10

# fhir.resources checks structure and datatypes but not value sets; the statuses (required
# bindings that change what a resource means) are checked here.
REQUIRED_STATUS = {
    "Observation": {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
                    "entered-in-error", "unknown"},
    "Procedure": {"preparation", "in-progress", "not-done", "on-hold", "stopped", "completed",
                  "entered-in-error", "unknown"},
    "MedicationStatement": {"active", "completed", "entered-in-error", "intended", "stopped",
                            "on-hold", "unknown", "not-taken"},
    "MedicationAdministration": {"in-progress", "not-done", "on-hold", "completed",
                                 "entered-in-error", "stopped", "unknown"},
    "Immunization": {"completed", "entered-in-error", "not-done"},
    "QuestionnaireResponse": {"in-progress", "completed", "amended", "entered-in-error", "stopped"},
    "DiagnosticReport": {"registered", "partial", "preliminary", "final", "amended", "corrected",
                         "appended", "cancelled", "entered-in-error", "unknown"},
    "CarePlan": {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"},
    "Task": {"draft", "requested", "received", "accepted", "rejected", "ready", "cancelled",
             "in-progress", "on-hold", "failed", "completed", "entered-in-error"},
}


class FhirError(Exception):
    """Answered as an OperationOutcome with this HTTP status."""

    def __init__(self, status_code: int, message: str, code: str = "processing"):
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.code = code


def not_found(reference: str) -> FhirError:
    return FhirError(404, f"{reference} was not found", "not-found")


def operation_outcome(message: str, code: str = "processing", severity: str = "error") -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": message}],
    }


def model_class(resource_type: str):
    try:
        return get_fhir_model_class(resource_type)
    except (KeyError, ValueError) as exc:
        raise FhirError(400, f"unknown FHIR resource type {resource_type!r}", "not-supported") from exc


def validate_resource(data: object, expected_type: str | None = None) -> dict:
    """The resource as canonical FHIR JSON, or a 422 saying what is wrong with it."""
    if not isinstance(data, dict):
        raise FhirError(422, "the body must be one FHIR resource as a JSON object", "structure")
    resource_type = data.get("resourceType")
    if not isinstance(resource_type, str):
        raise FhirError(422, "the resource has no resourceType", "structure")
    if expected_type and resource_type != expected_type:
        raise FhirError(
            422, f"expected a {expected_type}, got {resource_type[:40]!r}", "structure"
        )
    model = model_class(resource_type)
    try:
        instance = model.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
            for error in exc.errors()[:MAX_ISSUES]
        ]
        raise FhirError(
            422, f"invalid {resource_type}: " + "; ".join(problems), "invalid"
        ) from None
    except (TypeError, ValueError) as exc:
        raise FhirError(422, f"invalid {resource_type}: {exc}"[:500], "invalid") from None
    resource = instance.model_dump(mode="json", exclude_none=True, by_alias=True)
    allowed = REQUIRED_STATUS.get(resource_type)
    if allowed is not None and resource.get("status") not in allowed:
        raise FhirError(422, f"invalid {resource_type}: status must be one of "
                        f"{', '.join(sorted(allowed))}", "code-invalid")
    return resource
