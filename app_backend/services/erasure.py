"""Erasure of one person (GDPR article 17) from the backend: their account, FHIR record, consents,
care-team links, alerts, conversations and attachments, appointments, library and community data,
audit trail and sign-in attempts. `python -m ingestion.privacy erase` calls this, then erases the
pipeline's stores; what is kept of the erasure itself holds counts only."""

from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from app_backend.models import (
    AuditRecord,
    CareTeamPatient,
    ConsentRecord,
    FhirResource,
    LoginAttempt,
    User,
)
from app_backend.models.health_record import RealtimeAlert
from app_backend.models.telehealth import Appointment, Attachment, Message, MessageRead, Thread
from app_backend.services.community.erasure import erase_member_content
from app_backend.services.library.store import erase_reader_data
from app_backend.services.telehealth import attachments
from app_backend.services.telehealth.config import TelehealthConfig


def erase_patient(session: Session, patient_id: str, telehealth: TelehealthConfig) -> dict[str, int]:
    """Delete everything the backend holds of this patient; commit is the caller's."""
    counts: dict[str, int] = {}
    user = session.scalar(select(User).where(User.patient_id == patient_id))

    threads = list(session.scalars(select(Thread.id).where(Thread.patient_id == patient_id)))
    files = list(session.scalars(select(Attachment.id).where(Attachment.thread_id.in_(threads))))
    counts["attachment_files"] = attachments.erase(telehealth, files)
    messages = select(Message.id).where(Message.thread_id.in_(threads))
    counts["message_reads"] = _delete(session, MessageRead, MessageRead.message_id.in_(messages))
    counts["messages"] = _delete(session, Message, Message.thread_id.in_(threads))
    counts["attachments"] = _delete(session, Attachment, Attachment.thread_id.in_(threads))
    counts["threads"] = _delete(session, Thread, Thread.id.in_(threads))
    counts["appointments"] = _delete(session, Appointment, Appointment.patient_id == patient_id)
    counts["fhir_resources"] = _delete(session, FhirResource, or_(
        FhirResource.patient_id == patient_id,
        (FhirResource.resource_type == "Patient") & (FhirResource.id == patient_id)))
    counts["alerts"] = _delete(session, RealtimeAlert, RealtimeAlert.patient_id == patient_id)
    counts["consents"] = _delete(session, ConsentRecord, ConsentRecord.patient_id == patient_id)
    counts["care_team_links"] = _delete(session, CareTeamPatient, CareTeamPatient.patient_id == patient_id)
    audit_scope = AuditRecord.patient_id == patient_id
    if user is not None:
        audit_scope = or_(audit_scope, AuditRecord.user_id == user.id)
        counts.update({f"community_{k}": v for k, v in erase_member_content(session, user.id).items()})
        counts["library_interactions"] = erase_reader_data(session, user.id)
        counts["login_attempts"] = _delete(session, LoginAttempt, LoginAttempt.email == user.email)
        # Consents the person gave as someone's caregiver go with their account.
        counts["delegations"] = _delete(session, ConsentRecord, ConsentRecord.recipient == f"User/{user.id}")
    counts["audit_records"] = _delete(session, AuditRecord, audit_scope)
    if user is not None:
        session.delete(user)
        counts["accounts"] = 1
    session.flush()
    return {k: v for k, v in counts.items() if v}


def identifiers(session: Session, patient_id: str) -> list[str]:
    """Strings that identify the person in files (exports, logs): id, email and name."""
    user = session.scalar(select(User).where(User.patient_id == patient_id))
    found = [patient_id]
    if user is not None:
        found += [user.email, user.name]
    return found


def _delete(session: Session, model, where) -> int:
    return session.execute(delete(model).where(where)).rowcount or 0
