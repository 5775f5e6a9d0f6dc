"""What search needs from a resource: its patient, its codes and its clinically relevant time."""

from __future__ import annotations

from datetime import UTC, date, datetime

PATIENT_FIELDS = ("subject", "patient", "for", "beneficiary")
CODE_FIELDS = (
    "code", "medicationCodeableConcept", "vaccineCode",
)
TIME_FIELDS = (
    "effectiveDateTime", "effectivePeriod", "effectiveInstant", "onsetDateTime", "onsetPeriod",
    "performedDateTime", "performedPeriod", "occurrenceDateTime", "authored", "issued",
    "recordedDate", "dateAsserted", "authoredOn", "lastModified", "dateTime", "date",
)


def patient_of(resource: dict) -> str | None:
    """The FHIR Patient id a resource belongs to (the resource's own id for a Patient)."""
    if resource.get("resourceType") == "Patient":
        return resource.get("id")
    for field in PATIENT_FIELDS:
        value = resource.get(field)
        if isinstance(value, dict):
            reference = value.get("reference") or ""
            if reference.startswith("Patient/"):
                return reference.removeprefix("Patient/")
    return None


def _codings(value) -> list[dict]:
    if isinstance(value, list):
        return [c for item in value for c in _codings(item)]
    if isinstance(value, dict):
        return [c for c in value.get("coding", []) if isinstance(c, dict)]
    return []


def code_tokens(resource: dict) -> str | None:
    """' system|code ' tokens for every coding in the resource's code-like elements."""
    tokens = []
    if resource.get("resourceType") == "QuestionnaireResponse" and resource.get("questionnaire"):
        tokens.append(f"|{resource['questionnaire']}")
    for field in CODE_FIELDS:
        for coding in _codings(resource.get(field)):
            if coding.get("code"):
                tokens.append(f"{coding.get('system', '')}|{coding['code']}")
    if resource.get("resourceType") == "Observation":
        for component in resource.get("component", []):
            for coding in _codings(component.get("code")):
                if coding.get("code"):
                    tokens.append(f"{coding.get('system', '')}|{coding['code']}")
    cleaned = [t.replace(" ", "_") for t in tokens]
    return f" {' '.join(cleaned)} " if cleaned else None


def parse_fhir_datetime(value: str) -> datetime:
    """A FHIR date, dateTime or instant as an aware UTC datetime (partial dates: their start)."""
    if len(value) == 4:
        return datetime(int(value), 1, 1, tzinfo=UTC)
    if len(value) == 7:
        return datetime(int(value[:4]), int(value[5:7]), 1, tzinfo=UTC)
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def effective_time(resource: dict) -> datetime | None:
    for field in TIME_FIELDS:
        value = resource.get(field)
        if isinstance(value, dict):
            value = value.get("start")
        if isinstance(value, str):
            try:
                return parse_fhir_datetime(value)
            except ValueError:
                continue
    return None
