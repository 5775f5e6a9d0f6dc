"""Teleconsultations as FHIR Appointments: request, offer slots, confirm, reschedule, cancel, attend."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app_backend.db import utcnow
from app_backend.models import Role, User
from app_backend.models.telehealth import Appointment
from app_backend.services.accounts import AccountError
from app_backend.services.telehealth.config import TelehealthConfig

OPEN = {"proposed", "pending", "booked"}
# Which role may move an appointment from which statuses.
TRANSITIONS = {
    "offer": ({"proposed", "pending"}, {Role.clinician}),
    "confirm": ({"pending"}, {Role.patient, Role.caregiver}),
    "reschedule": ({"booked", "pending"}, {Role.patient, Role.caregiver, Role.clinician}),
    "cancel": (OPEN, {Role.patient, Role.caregiver, Role.clinician}),
    "no-show": ({"booked"}, {Role.clinician}),
    "complete": ({"booked"}, {Role.clinician}),
}


def request(session: Session, user: User, patient_id: str, reason: str) -> Appointment:
    appointment = Appointment(patient_id=patient_id, reason=reason, requested_by=user.id, status="proposed",
                              clinician_id=user.id if user.role == Role.clinician else None)
    session.add(appointment)
    session.flush()
    return appointment


def _allow(appointment: Appointment, user: User, action: str) -> None:
    statuses, roles = TRANSITIONS[action]
    if user.role not in {r.value for r in roles}:
        raise AccountError(403, f"your role may not {action} an appointment")
    if appointment.status not in statuses:
        raise AccountError(409, f"an appointment that is {appointment.status} cannot be {action}ed")


def offer(appointment: Appointment, user: User, slots: list[tuple[datetime, datetime]], now: datetime) -> None:
    _allow(appointment, user, "offer")
    if any(start <= now or end <= start for start, end in slots):
        raise AccountError(422, "every slot must start in the future and end after it starts")
    appointment.offered_slots = [{"start": s.isoformat(), "end": e.isoformat()} for s, e in slots]
    appointment.clinician_id = user.id
    _touch(appointment, "pending")


def confirm(appointment: Appointment, user: User, slot_index: int, now: datetime) -> None:
    _allow(appointment, user, "confirm")
    if not 0 <= slot_index < len(appointment.offered_slots):
        raise AccountError(422, f"choose one of the {len(appointment.offered_slots)} offered slots")
    slot = appointment.offered_slots[slot_index]
    start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
    if start <= now:
        raise AccountError(409, "that slot has passed: ask for new slots")
    appointment.start, appointment.end = start, end
    appointment.room = appointment.room or secrets.token_urlsafe(24)
    appointment.reminder_sent_at = None
    _touch(appointment, "booked")


def reschedule(appointment: Appointment, user: User) -> None:
    """Back to choosing a slot: the clinician offers new ones; the room stays the same."""
    _allow(appointment, user, "reschedule")
    appointment.start = appointment.end = None
    appointment.offered_slots = []
    _touch(appointment, "proposed")


def cancel(appointment: Appointment, user: User, reason: str) -> None:
    _allow(appointment, user, "cancel")
    appointment.cancellation_reason = reason
    _touch(appointment, "cancelled")


def close(appointment: Appointment, user: User, action: str, now: datetime) -> None:
    _allow(appointment, user, action)
    if appointment.start is None or appointment.start > now:
        raise AccountError(409, "an appointment can be closed only once it has started")
    _touch(appointment, "noshow" if action == "no-show" else "fulfilled")


def _touch(appointment: Appointment, status: str) -> None:
    appointment.status = status
    appointment.updated_at = utcnow()


def join_url(config: TelehealthConfig, appointment: Appointment) -> str | None:
    return f"{config.video_base_url}/{appointment.room}" if appointment.room and appointment.status == "booked" else None


def due_reminders(session: Session, config: TelehealthConfig, now: datetime) -> list[Appointment]:
    """Booked appointments starting within the reminder lead time that have had no reminder yet."""
    horizon = now + timedelta(hours=config.reminder_lead_hours)
    due = list(session.scalars(select(Appointment).where(
        Appointment.status == "booked", Appointment.reminder_sent_at.is_(None),
        Appointment.start > now, Appointment.start <= horizon)))
    for appointment in due:
        appointment.reminder_sent_at = now
    session.flush()
    return due


EXTENSION_BASE = "http://survivorship-platform.org/fhir/StructureDefinition"


def as_fhir(config: TelehealthConfig, appointment: Appointment) -> dict:
    resource = {
        "resourceType": "Appointment",
        "id": appointment.id,
        "status": appointment.status,
        "description": appointment.reason,
        "created": appointment.created_at.isoformat(),
        "participant": [{"actor": {"reference": f"Patient/{appointment.patient_id}"}, "status": "accepted"}],
    }
    if appointment.start:
        resource["start"], resource["end"] = appointment.start.isoformat(), appointment.end.isoformat()
    if appointment.offered_slots and appointment.status in ("pending", "proposed"):
        resource["requestedPeriod"] = appointment.offered_slots
    if appointment.cancellation_reason:
        resource["cancelationReason"] = {"text": appointment.cancellation_reason}
    extensions = []
    if url := join_url(config, appointment):
        extensions.append({"url": f"{EXTENSION_BASE}/join-url", "valueUrl": url})
    if appointment.reminder_sent_at is not None:
        extensions.append({"url": f"{EXTENSION_BASE}/reminder-sent", "valueDateTime": appointment.reminder_sent_at.isoformat()})
    if extensions:
        resource["extension"] = extensions
    return resource
