"""FHIR Bulk Data export for the pipeline's service account (system and patient level).

Kick-off answers 202 with Content-Location; polling that URL answers 202 (with Retry-After)
until the manifest is ready, then 200 with it; each NDJSON file is fetched with the same token.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Header, Path, Query, Request, Response
from fastapi.responses import FileResponse

from app_backend.api.deps import ServiceUser, SessionDep, SettingsDep, audit
from app_backend.fhir.bundles import aware, base_url
from app_backend.fhir.responses import FHIR_ERRORS, FhirJSONResponse
from app_backend.fhir.validation import FhirError, not_found
from app_backend.models import ExportJob
from app_backend.services import bulk_export

router = APIRouter(prefix="/fhir", tags=["bulk export"], responses=FHIR_ERRORS)

NDJSON_FORMATS = {"application/fhir+ndjson", "application/ndjson", "ndjson"}
JobId = Annotated[str, Path(max_length=64)]
ACCEPTED = {202: {"description": "Accepted: poll the Content-Location URL", "content": {}}}
MANIFEST = {200: {"description": "The export manifest", "content": {"application/json": {}}}}


def _types(session, raw: str | None) -> list[str]:
    available = bulk_export.default_types(session)
    if not raw:
        return available
    wanted = [t.strip() for t in raw.split(",") if t.strip()]
    unknown = [t for t in wanted if t not in available]
    if unknown:
        raise FhirError(400, f"cannot export {', '.join(unknown)[:200]}: available types are "
                        f"{', '.join(available)}", "not-supported")
    return list(dict.fromkeys(wanted))


def _kickoff(level: str, request: Request, user, session, settings, background: BackgroundTasks,
             since: datetime | None, type_: str | None, output_format: str | None) -> Response:
    if output_format and output_format not in NDJSON_FORMATS:
        raise FhirError(400, "only _outputFormat=application/fhir+ndjson is supported", "not-supported")
    types = _types(session, type_)
    if level == "patient":
        types = [t for t in types if t != "Consent"] + (["Consent"] if "Consent" in types else [])
    bulk_export.purge_expired(session, settings)
    job = bulk_export.kickoff(session, user_id=user.id, level=level, types=types,
                              since=aware(since), request_url=str(request.url))
    session.commit()
    audit(request, user, patient_id=None, entity=f"$export/{job.id}", purpose="operations", action="E")
    background.add_task(bulk_export.run, request.app.state.session_factory, settings, job.id)
    location = f"{base_url(request)}/fhir/$export-status/{job.id}"
    return Response(status_code=202, headers={"Content-Location": location})


Since = Annotated[datetime | None, Query(alias="_since")]
TypeParam = Annotated[str | None, Query(alias="_type", max_length=1000)]
OutputFormat = Annotated[str | None, Query(alias="_outputFormat", max_length=100)]
Prefer = Annotated[str | None, Header(max_length=200)]


@router.get("/$export", status_code=202, responses=ACCEPTED, response_class=Response)
def system_export(request: Request, user: ServiceUser, session: SessionDep, settings: SettingsDep,
                  background: BackgroundTasks, since: Since = None, type_: TypeParam = None,
                  output_format: OutputFormat = None, prefer: Prefer = None) -> Response:
    """Export everything the backend holds (send `Prefer: respond-async`)."""
    return _kickoff("system", request, user, session, settings, background, since, type_, output_format)


@router.get("/Patient/$export", status_code=202, responses=ACCEPTED, response_class=Response)
def patient_export(request: Request, user: ServiceUser, session: SessionDep, settings: SettingsDep,
                   background: BackgroundTasks, since: Since = None, type_: TypeParam = None,
                   output_format: OutputFormat = None, prefer: Prefer = None) -> Response:
    """Export the data of every patient (their compartments)."""
    return _kickoff("patient", request, user, session, settings, background, since, type_, output_format)


def _job(session, user, job_id: str) -> ExportJob:
    job = session.get(ExportJob, job_id)
    if job is None or job.requested_by != user.id:
        raise not_found(f"export job {job_id}")
    return job


@router.get("/$export-status/{job_id}", responses={**ACCEPTED, **MANIFEST}, response_class=Response)
def export_status(job_id: JobId, request: Request, user: ServiceUser, session: SessionDep,
                  settings: SettingsDep) -> Response:
    """202 while the export runs; 200 with the manifest once it is done."""
    job = _job(session, user, job_id)
    if job.status == "queued":
        # Its worker may have died before starting it: whoever polls first runs it.
        bulk_export.run(request.app.state.session_factory, settings, job.id)
        session.refresh(job)
    if job.status == "running":
        return Response(status_code=202, headers={"X-Progress": "running", "Retry-After": "2"})
    if job.status == "failed":
        raise FhirError(500, f"the export failed: {job.error}", "exception")
    return FhirJSONResponse(bulk_export.manifest(job, base_url(request)), media_type="application/json")


@router.delete("/$export-status/{job_id}", status_code=202, responses=ACCEPTED,
               response_class=Response)
def cancel_export(job_id: JobId, user: ServiceUser, session: SessionDep, settings: SettingsDep) -> Response:
    """Cancel an export or delete its files."""
    bulk_export.delete_job(session, settings, _job(session, user, job_id))
    session.commit()
    return Response(status_code=202)


@router.get("/$export-file/{job_id}/{file_name}", response_class=FileResponse,
            responses={200: {"content": {"application/fhir+ndjson": {}}}})
def export_file(job_id: JobId, file_name: Annotated[str, Path(max_length=80)], user: ServiceUser,
                session: SessionDep, settings: SettingsDep):
    """One NDJSON file of a finished export."""
    job = _job(session, user, job_id)
    # The path is built from the job's own manifest, never from the request.
    listed = {o["file"] for o in job.output or []}
    if job.status != "done" or file_name not in listed:
        raise not_found(f"export file {file_name}")
    path = bulk_export.job_dir(settings, job.id) / next(f for f in listed if f == file_name)
    return FileResponse(path, media_type="application/fhir+ndjson")
