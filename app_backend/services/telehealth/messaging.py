"""Threads and messages between a patient (or a delegated caregiver) and the care team."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app_backend.db import utcnow
from app_backend.models import Role, User
from app_backend.models.health_record import RealtimeAlert
from app_backend.models.telehealth import Message, MessageRead, Thread
from app_backend.services import fhir_store
from app_backend.services.catalogue import rules

PATIENT_SIDE = {Role.patient.value, Role.caregiver.value}
SENDER_SYSTEM = "http://survivorship-platform.org/fhir/user-id"


def start_thread(session: Session, user: User, patient_id: str, subject: str) -> Thread:
    thread = Thread(patient_id=patient_id, subject=subject, created_by=user.id,
                    assigned_to=user.id if user.role == Role.clinician else None)
    session.add(thread)
    session.flush()
    return thread


def post(session: Session, thread: Thread, user: User, body: str, attachment_id: str | None = None) -> Message:
    message = Message(thread_id=thread.id, sender_id=user.id, sender_role=user.role, body=body,
                      attachment_id=attachment_id)
    session.add(message)
    session.flush()
    thread.last_message_at = message.sent_at
    thread.awaiting = "team" if user.role in PATIENT_SIDE else "patient"
    if user.role == Role.clinician:
        thread.escalated_at = None
        if thread.assigned_to is None:
            thread.assigned_to = user.id
    session.add(MessageRead(message_id=message.id, user_id=user.id, read_at=message.sent_at))
    # The warehouse sees messaging activity through $export: a Communication without the text.
    fhir_store.create(session, as_communication(thread, message), source="telehealth", user_id=user.id,
                      resource_id=message.id)
    return message


def as_communication(thread: Thread, message: Message) -> dict:
    from_patient = message.sender_role in PATIENT_SIDE
    return {
        "resourceType": "Communication",
        "status": "completed",
        "subject": {"reference": f"Patient/{thread.patient_id}"},
        "topic": {"text": "care-team conversation"},
        "sent": message.sent_at.isoformat(),
        "sender": {"identifier": {"system": SENDER_SYSTEM, "value": str(message.sender_id)},
                   "display": message.sender_role},
        "recipient": [{"reference": f"Patient/{thread.patient_id}"}] if not from_patient
        else [{"display": "care team"}],
        "identifier": [{"system": "http://survivorship-platform.org/fhir/telehealth-thread",
                        "value": thread.id}],
    }


def messages(session: Session, thread: Thread, after: datetime | None = None,
             before: datetime | None = None, limit: int = 100) -> list[Message]:
    """A page of the thread, oldest first: the `limit` messages following `after` when polling for
    new ones; otherwise the newest `limit` (before `before`, for scrolling back), as a chat opens."""
    query = select(Message).where(Message.thread_id == thread.id)
    if before is not None:
        query = query.where(Message.sent_at < before)
    if after is not None:
        query = query.where(Message.sent_at > after)
        return list(session.scalars(query.order_by(Message.sent_at, Message.id).limit(limit)))
    newest = session.scalars(query.order_by(Message.sent_at.desc(), Message.id.desc()).limit(limit))
    return list(reversed(list(newest)))


def mark_read(session: Session, user: User, batch: list[Message]) -> None:
    ids = [m.id for m in batch]
    if not ids:
        return
    seen = set(session.scalars(select(MessageRead.message_id).where(
        MessageRead.user_id == user.id, MessageRead.message_id.in_(ids))))
    now = utcnow()
    session.add_all(MessageRead(message_id=i, user_id=user.id, read_at=now) for i in ids if i not in seen)
    session.flush()


def receipts(session: Session, batch: list[Message]) -> dict[str, list[dict]]:
    ids = [m.id for m in batch]
    out: dict[str, list[dict]] = {i: [] for i in ids}
    if ids:
        for read in session.scalars(select(MessageRead).where(MessageRead.message_id.in_(ids))):
            out[read.message_id].append({"user_id": read.user_id, "read_at": read.read_at.isoformat()})
    return out


def threads_for(session: Session, patient_ids: list[str]) -> list[Thread]:
    if not patient_ids:
        return []
    return list(session.scalars(select(Thread).where(Thread.patient_id.in_(patient_ids))
                                .order_by(Thread.last_message_at.desc()).limit(500)))


def inbox(session: Session, patient_ids: list[str], now: datetime, target_hours: int) -> list[dict]:
    """Threads waiting for the team, oldest first, with how long they have waited."""
    rows = session.scalars(
        select(Thread).where(Thread.patient_id.in_(patient_ids or [""]), Thread.awaiting == "team")
        .order_by(Thread.last_message_at)
    )
    out = []
    for thread in rows:
        waited = (now - thread.last_message_at).total_seconds() / 3600
        out.append({"thread_id": thread.id, "patient_id": thread.patient_id, "subject": thread.subject,
                    "assigned_to": thread.assigned_to, "waiting_hours": round(waited, 2),
                    "target_hours": target_hours, "overdue": waited > target_hours,
                    "escalated": thread.escalated_at is not None})
    return out


def unread_count(session: Session, user: User, thread: Thread) -> int:
    read = select(MessageRead.message_id).where(MessageRead.user_id == user.id)
    return session.scalar(select(func.count()).select_from(Message).where(
        Message.thread_id == thread.id, Message.id.not_in(read))) or 0


def escalate_unanswered(session: Session, catalogue_dir, now: datetime) -> list[RealtimeAlert]:
    """Threads the team has not answered within the ESCALATE rule's hours raise one alert each."""
    rule = rules(catalogue_dir)["ESCALATE"]
    raised = []
    for thread in session.scalars(select(Thread).where(Thread.awaiting == "team", Thread.escalated_at.is_(None))):
        hours = rule.param("ack_hours", thread.patient_id)
        if thread.last_message_at > now - timedelta(hours=hours):
            continue
        thread.escalated_at = now
        alert = RealtimeAlert(
            patient_id=thread.patient_id, rule_id=rule.rule_id, rule_version=rule.version,
            severity=rule.severity, title=f"Patient message unanswered for {hours:g} h",
            triggered_at=now, evidence={"thread_id": thread.id, "waiting_since": thread.last_message_at.isoformat(),
                                        "ack_hours": hours},
            focus=f"telehealth-thread/{thread.id}", status="open",
        )
        session.add(alert)
        raised.append(alert)
    session.flush()
    return raised
