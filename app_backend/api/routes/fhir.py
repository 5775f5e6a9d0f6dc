"""FHIR R4 REST: metadata, read, search and create for the resources of the health record."""

from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from app_backend.api.deps import (
    CareUser,
    CurrentUser,
    SessionDep,
    SettingsDep,
    TokenDep,
    audit_listed,
    care_caller,
    care_caller_and_resource,
    check_patient_access,
    client_address,
)
from app_backend.api.schemas import FhirResourceOut
from app_backend.fhir.bundles import aware, base_url, full_url, searchset, searchset_text
from app_backend.fhir.capability import capability_statement
from app_backend.fhir.indexing import patient_of
from app_backend.fhir.questionnaires import questionnaire
from app_backend.fhir.responses import (
    FHIR_ERRORS,
    FhirJSONResponse,
    json_text_response,
    resource_response,
)
from app_backend.fhir.search_params import apply_date, parse_codes
from app_backend.fhir.validation import FhirError, not_found, operation_outcome, validate_resource
from app_backend.models import Role
from app_backend.services import fhir_store
from app_backend.services.access import accessible_patient_ids, audited_access
from app_backend.services.catalogue import instruments
from app_backend.services.health_record import RECORD_TYPES, submit

router = APIRouter(prefix="/fhir", tags=["fhir"], responses=FHIR_ERRORS,
                   default_response_class=FhirJSONResponse)

CreatableType = StrEnum("CreatableType", {t: t for t in RECORD_TYPES})
ReadableType = StrEnum("ReadableType", {t: t for t in (*RECORD_TYPES, "Patient", "Task")})
MODULE = "health-record"

ResourceId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9\-.]{1,64}$")]
Count = Annotated[int, Query(alias="_count", ge=1, le=200)]
Offset = Annotated[int, Query(alias="_offset", ge=0, le=100_000)]


@router.get("/metadata", response_model=FhirResourceOut)
def metadata(request: Request):
    """The CapabilityStatement: what this server supports (no sign-in needed)."""
    return FhirJSONResponse(capability_statement(base_url(request), RECORD_TYPES))


def _questionnaires(settings) -> dict[str, dict]:
    return questionnaires_for(settings.catalogue_dir)


@lru_cache(maxsize=8)
def questionnaires_for(catalogue_dir) -> dict[str, dict]:
    return {i.questionnaire_id: questionnaire(i) for i in instruments(catalogue_dir).values()}


@router.get("/Questionnaire", response_model=FhirResourceOut)
def search_questionnaires(
    request: Request, _user: CurrentUser, settings: SettingsDep,
    url: Annotated[str | None, Query(max_length=300)] = None,
):
    """The PROM instruments the app offers, as FHIR Questionnaires."""
    found = [q for q in _questionnaires(settings).values() if url in (None, q["url"])]
    return searchset(request, found, offset=0, count=len(found), total=len(found))


@router.get("/Questionnaire/{questionnaire_id}", response_model=FhirResourceOut)
def read_questionnaire(questionnaire_id: ResourceId, _user: CurrentUser, settings: SettingsDep):
    found = _questionnaires(settings).get(questionnaire_id)
    if found is None:
        raise not_found(f"Questionnaire/{questionnaire_id}")
    return FhirJSONResponse(found)


@router.get("/{resource_type}/{resource_id}", response_model=FhirResourceOut)
async def read(resource_type: ReadableType, resource_id: ResourceId, request: Request, token: TokenDep):
    """Read one resource; another patient's resource answers 404, as if absent."""
    # The whole read in one threadpool call, rather than one per sync dependency plus the route's.
    return await run_in_threadpool(_read, request, token, resource_type.value, resource_id)


def _read(request: Request, token: str | None, resource_type: str, resource_id: str) -> Response:
    """Sign-in check and fetch in one statement, then the access decision and its audit record
    (anyone but the patient) in another, each committed on its own (autocommit): two round trips
    for a clinician's or caregiver's read, one for a patient's, no BEGIN, COMMIT or ROLLBACK."""
    reference = f"{resource_type}/{resource_id}"
    with request.app.state.autocommit_engine.connect() as connection:
        caller, row = care_caller_and_resource(connection, request, token, resource_type, resource_id)
        if row.owner is None or audited_access(
                connection, caller, row.owner, MODULE, action="R", entity=reference,
                client=client_address(request)) is None:
            raise not_found(reference)  # absent, or not the caller's to see: the same answer
    return json_text_response(row.body, row.version_id, headers={
        "Last-Modified": row.last_updated.strftime("%a, %d %b %Y %H:%M:%S GMT")})


@router.get("/{resource_type}", response_model=FhirResourceOut)
async def search(
    resource_type: ReadableType,
    request: Request,
    token: TokenDep,
    patient: Annotated[str | None, Query(max_length=64)] = None,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    date: Annotated[list[str] | None, Query(max_length=2)] = None,
    since: Annotated[datetime | None, Query(alias="_since")] = None,
    count: Count = 50,
    offset: Offset = 0,
):
    """Search the caller's reachable records by patient, code, date and _since, newest first."""
    # The whole search in one threadpool call, on autocommit connections, as `read`.
    return await run_in_threadpool(_search, request, token, resource_type.value, {
        "patient": patient, "code": code, "date": date, "since": since, "count": count, "offset": offset})


def _search(request: Request, token: str | None, resource_type: str, params: dict) -> Response:
    patient = params["patient"].removeprefix("Patient/") if params["patient"] else None
    count, offset, date = params["count"], params["offset"], params["date"] or []
    with request.app.state.autocommit_sessions() as session:
        user = care_caller(session, request, token)
        if patient:
            check_patient_access(request, session, user, patient, module=MODULE,
                                 entity=f"{resource_type}?patient={patient}")
            patient_ids = [patient]
        else:
            patient_ids = accessible_patient_ids(session, user, MODULE)
        query = fhir_store.SearchQuery(
            resource_type=resource_type, patient_ids=patient_ids, codes=parse_codes(params["code"]),
            since=aware(params["since"]), count=count, offset=offset,
        )
        for value in date:
            if len(value) > 40:
                raise FhirError(422, "a date parameter is at most 40 characters", "invalid")
        apply_date(query, date)
        rows, total = fhir_store.search_raw(session, query)
        if not patient:
            audit_listed(request, session, user, (r.patient_id for r in rows), entity=f"{resource_type}?search")
    return Response(searchset_text(request, rows, offset=offset, count=count, total=total),
                    media_type=FhirJSONResponse.media_type)


@router.post("/{resource_type}", status_code=201, response_model=FhirResourceOut)
def create(
    resource_type: CreatableType,
    request: Request,
    user: CareUser,
    session: SessionDep,
    settings: SettingsDep,
    body: Annotated[dict, Body(description="A FHIR R4 resource of this type")],
    prefer: Annotated[str | None, Header(max_length=200)] = None,
):
    """Create a resource in a patient's record. Urgent rules are evaluated at once: with
    `Prefer: return=OperationOutcome` the answer carries the patient's guidance."""
    if user.role == Role.caregiver:
        raise FhirError(403, "caregivers have read-only access", "forbidden")
    resource = validate_resource(body, resource_type.value)
    patient_id = patient_of(resource)
    if patient_id is None:
        raise FhirError(422, f"the {resource_type.value} must reference its Patient (subject)", "required")
    check_patient_access(request, session, user, patient_id, module=MODULE,
                         entity=f"{resource_type.value}?create")
    submission = submit(session, settings, user, resource, patient_id)
    session.commit()
    created = submission.row.resource
    headers = {"Location": f"{full_url(request, created)}/_history/1"}
    if prefer and "return=minimal" in prefer:
        return FhirJSONResponse(None, status_code=201, headers=headers)
    if prefer and "return=OperationOutcome" in prefer:
        outcome = operation_outcome(f"created {created['resourceType']}/{created['id']}",
                                    "informational", "information")
        outcome["issue"] += [{"severity": "warning", "code": "informational", "diagnostics": text}
                             for text in submission.guidance]
        return FhirJSONResponse(outcome, status_code=201, headers=headers)
    return resource_response(created, 201, headers)
