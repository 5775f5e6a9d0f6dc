"""Search indexing: patient, codes and time taken from resources as FHIR defines them."""

from datetime import UTC, datetime

import pytest

from app_backend.fhir.indexing import code_tokens, effective_time, parse_fhir_datetime, patient_of


def test_patient_of_each_shape():
    assert patient_of({"resourceType": "Patient", "id": "p1"}) == "p1"
    assert patient_of({"resourceType": "Observation", "subject": {"reference": "Patient/p2"}}) == "p2"
    assert patient_of({"resourceType": "AllergyIntolerance", "patient": {"reference": "Patient/p3"}}) == "p3"
    assert patient_of({"resourceType": "Task", "for": {"reference": "Patient/p4"}}) == "p4"
    assert patient_of({"resourceType": "Observation", "subject": {"reference": "Group/g"}}) is None


def test_code_tokens_cover_every_coding_and_components():
    tokens = code_tokens({"resourceType": "Observation",
                          "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
                          "component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]}}]})
    assert " http://loinc.org|85354-9 " in tokens and " http://loinc.org|8480-6 " in tokens


@pytest.mark.parametrize(("value", "expected"), [
    ("2026", datetime(2026, 1, 1, tzinfo=UTC)),
    ("2026-03", datetime(2026, 3, 1, tzinfo=UTC)),
    ("2026-03-04", datetime(2026, 3, 4, tzinfo=UTC)),
    ("2026-03-04T10:00:00+02:00", datetime(2026, 3, 4, 8, tzinfo=UTC)),
    ("2026-03-04T10:00:00Z", datetime(2026, 3, 4, 10, tzinfo=UTC)),
])
def test_fhir_dates_become_utc_instants(value, expected):
    assert parse_fhir_datetime(value) == expected


def test_effective_time_prefers_the_clinical_time():
    assert effective_time({"effectivePeriod": {"start": "2026-01-02"}}) == datetime(2026, 1, 2, tzinfo=UTC)
    assert effective_time({"authored": "2026-01-03T00:00:00Z"}) == datetime(2026, 1, 3, tzinfo=UTC)
    assert effective_time({"effectiveDateTime": "garbage"}) is None
