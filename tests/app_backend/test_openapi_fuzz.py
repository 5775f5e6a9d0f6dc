"""schemathesis over the OpenAPI: generated requests (valid and invalid) to every operation,
signed in with a role that may use it, never cause a 5xx or an answer that breaks its schema."""

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.app_backend.conftest import World

EXAMPLES = {"positive": 2, "negative": 1}
# These would end the shared sessions the other cases use.
SKIPPED = {("POST", "/auth/logout"), ("POST", "/auth/password")}


@pytest.fixture(scope="module")
def role_headers(client, app):
    world = World(client, app)
    patient = world.patient()
    clinician = world.staff("clinician")
    world.care_team([clinician], [patient])
    return {"patient": patient.headers, "clinician": clinician.headers,
            "admin": world.staff("admin").headers, "service": world.staff("service").headers}


def _role_for(path: str) -> str:
    if path.startswith("/admin"):
        return "admin"
    if path.startswith("/fhir/$export"):
        return "service"
    if path.startswith("/clinician"):
        return "clinician"
    return "patient"


def test_no_server_errors_and_responses_match_the_schema(app, engine, role_headers):
    if engine.dialect.name != "sqlite":
        pytest.skip("the OpenAPI contract does not depend on the database: fuzzed once, on SQLite")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures, operations, timings = [], 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        operations += 1
        headers = role_headers[_role_for(operation.path)]
        # Invalid data can only be generated where there is a query string or a body to break.
        has_input = operation.body or any(p.location == "query" for p in operation.iter_parameters())
        modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if has_input else (GenerationMode.POSITIVE,)
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES[mode.value], deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            def check(case):
                case.call_and_validate(headers={**(case.headers or {}), **headers},  # noqa: B023 - called at once
                                       checks=[not_a_server_error, response_schema_conformance])

            started = time.perf_counter()
            try:
                check()
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect them all
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): "
                                f"{str(exc)[:800]}")
            timings.append((time.perf_counter() - started, operation.path, mode.value))
    print("slowest operations:", sorted(timings)[-5:])
    assert operations >= 35
    assert not failures, "\n\n".join(failures)
