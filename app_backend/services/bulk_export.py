"""FHIR Bulk Data `$export`: asynchronous jobs writing one NDJSON file per resource type.

`transactionTime` is set a little before the kick-off (EXPORT_SAFETY_LAG) so a transaction that
committed late with an earlier timestamp is not missed by the next `_since` export; the
pipeline's loader is idempotent by content hash, so the small overlap costs nothing.
"""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app_backend.config import Settings
from app_backend.db import utcnow
from app_backend.models import ConsentRecord, ExportJob, FhirResource
from app_backend.services import consent
from app_backend.services.health_record import RECORD_TYPES

EXPORT_SAFETY_LAG = timedelta(seconds=30)
EXPORTABLE_TYPES = ("Patient", *RECORD_TYPES, "Task", "Consent", "Communication")


def default_types(session: Session) -> list[str]:
    """Everything: the types above plus whatever other modules keep in the store, so a new
    module's resources reach the warehouse without touching this file."""
    stored = set(session.scalars(select(FhirResource.resource_type).distinct()))
    return [*EXPORTABLE_TYPES, *sorted(stored - set(EXPORTABLE_TYPES))]
BATCH = 1000


def job_dir(settings: Settings, job_id: str) -> Path:
    return settings.export_dir / job_id


def kickoff(session: Session, *, user_id: int, level: str, types: list[str], since, request_url: str) -> ExportJob:
    job = ExportJob(level=level, resource_types=types, since=since, request_url=request_url[:4000],
                    requested_by=user_id, transaction_time=utcnow() - EXPORT_SAFETY_LAG)
    session.add(job)
    session.flush()
    return job


def _stored_resources(session: Session, job: ExportJob, resource_type: str):
    query = select(FhirResource.resource).where(FhirResource.resource_type == resource_type)
    if job.level == "patient":
        query = query.where(FhirResource.patient_id.is_not(None))
    if job.since is not None:
        query = query.where(FhirResource.last_updated >= job.since)
    yield from session.scalars(query.order_by(FhirResource.last_updated).execution_options(yield_per=BATCH))


def _consents(session: Session, job: ExportJob):
    query = select(ConsentRecord)
    if job.since is not None:
        query = query.where(ConsentRecord.updated_at >= job.since)
    for record in session.scalars(query.order_by(ConsentRecord.updated_at)):
        yield consent.as_fhir(record)


def run(session_factory: sessionmaker, settings: Settings, job_id: str) -> None:
    """Do the export if nobody has started it yet (several workers may poll the same job)."""
    with session_factory() as session:
        claimed = session.execute(
            update(ExportJob).where(ExportJob.id == job_id, ExportJob.status == "queued")
            .values(status="running")
        ).rowcount
        session.commit()
        if not claimed:
            return
        job = session.get(ExportJob, job_id)
        target = job_dir(settings, job_id)
        try:
            target.mkdir(parents=True, exist_ok=True)
            output = []
            for resource_type in job.resource_types:
                rows = (_consents(session, job) if resource_type == "Consent"
                        else _stored_resources(session, job, resource_type))
                count = 0
                path = target / f"{resource_type}.ndjson"
                with path.open("w", encoding="utf-8") as handle:
                    for resource in rows:
                        handle.write(json.dumps(resource, separators=(",", ":")) + "\n")
                        count += 1
                if count:
                    output.append({"type": resource_type, "file": path.name, "count": count})
                else:
                    path.unlink()
            job.output = output
            job.status = "done"
        except Exception as exc:  # noqa: BLE001 - the job records the failure for the poller
            job.status = "failed"
            job.error = f"{type(exc).__name__}: {exc}"[:2000]
            shutil.rmtree(target, ignore_errors=True)
        job.completed_at = utcnow()
        session.commit()


def manifest(job: ExportJob, base: str) -> dict:
    return {
        "transactionTime": job.transaction_time.isoformat(),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [
            {"type": o["type"], "url": f"{base}/fhir/$export-file/{job.id}/{o['file']}", "count": o["count"]}
            for o in job.output or []
        ],
        "error": [],
    }


def delete_job(session: Session, settings: Settings, job: ExportJob) -> None:
    shutil.rmtree(job_dir(settings, job.id), ignore_errors=True)
    session.delete(job)
    session.flush()


def purge_expired(session: Session, settings: Settings) -> int:
    cutoff = utcnow() - timedelta(hours=settings.export_retention_hours)
    expired = list(session.scalars(select(ExportJob).where(ExportJob.created_at < cutoff)))
    for job in expired:
        delete_job(session, settings, job)
    return len(expired)
