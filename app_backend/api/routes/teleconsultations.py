"""Teleconsultations (FHIR Appointment shape): request, offer slots, confirm, reschedule, cancel,
record no-shows and completion; reminders before the start; a join link per appointment."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import select

from app_backend.api.deps import SessionDep, audit_listed, check_patient_access, require_roles
from app_backend.api.routes.telehealth import CareSide, ConfigDep, Staff, deliver
from app_backend.db import utcnow
from app_backend.models import Role, User
from app_backend.models.telehealth import Appointment
from app_backend.services.access import accessible_patient_ids
from app_backend.services.telehealth import MODULE, appointments

router = APIRouter(prefix="/telehealth/appointments", tags=["telehealth"])


class AppointmentRequest(BaseModel):
    patient_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)


class Slot(BaseModel):
    start: AwareDatetime
    end: AwareDatetime


class Offer(BaseModel):
    slots: list[Slot] = Field(min_length=1, max_length=10)


class Confirmation(BaseModel):
    slot_index: int = Field(ge=0, le=9)


class Cancellation(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


def _appointment(request: Request, session, user: User, appointment_id: str) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        raise HTTPException(404, f"Appointment/{appointment_id} was not found")
    check_patient_access(request, session, user, appointment.patient_id, module=MODULE,
                         entity=f"Appointment/{appointment.id}")
    return appointment


@router.post("", status_code=201)
def request_appointment(body: AppointmentRequest, request: Request, session: SessionDep, user: CareSide,
                        config: ConfigDep) -> dict:
    check_patient_access(request, session, user, body.patient_id, module=MODULE, entity="Appointment")
    appointment = appointments.request(session, user, body.patient_id, body.reason)
    session.commit()
    return appointments.as_fhir(config, appointment)


@router.get("")
def list_appointments(request: Request, session: SessionDep, user: CareSide, config: ConfigDep,
                      patient_id: Annotated[str | None, Query(max_length=64)] = None) -> list[dict]:
    if patient_id is not None:
        check_patient_access(request, session, user, patient_id, module=MODULE, entity="Appointment")
        patients = [patient_id]
    else:
        patients = accessible_patient_ids(session, user, MODULE)
    rows = list(session.scalars(select(Appointment).where(Appointment.patient_id.in_(patients or [""]))
                                .order_by(Appointment.created_at.desc()).limit(200)))
    if patient_id is None:
        audit_listed(request, session, user, (a.patient_id for a in rows), entity="Appointment")
    return [appointments.as_fhir(config, a) for a in rows]


@router.get("/{appointment_id}")
def read_appointment(appointment_id: str, request: Request, session: SessionDep, user: CareSide, config: ConfigDep) -> dict:
    return appointments.as_fhir(config, _appointment(request, session, user, appointment_id))


@router.post("/{appointment_id}/offer")
def offer_slots(appointment_id: str, body: Offer, request: Request, session: SessionDep,
                user: Annotated[User, Depends(require_roles(Role.clinician))], config: ConfigDep) -> dict:
    appointment = _appointment(request, session, user, appointment_id)
    appointments.offer(appointment, user, [(s.start, s.end) for s in body.slots], utcnow())
    session.commit()
    return appointments.as_fhir(config, appointment)


@router.post("/{appointment_id}/confirm")
def confirm(appointment_id: str, body: Confirmation, request: Request, session: SessionDep, user: CareSide,
            config: ConfigDep) -> dict:
    appointment = _appointment(request, session, user, appointment_id)
    appointments.confirm(appointment, user, body.slot_index, utcnow())
    session.commit()
    return appointments.as_fhir(config, appointment)


@router.post("/{appointment_id}/reschedule")
def reschedule(appointment_id: str, request: Request, session: SessionDep, user: CareSide, config: ConfigDep) -> dict:
    appointment = _appointment(request, session, user, appointment_id)
    appointments.reschedule(appointment, user)
    session.commit()
    return appointments.as_fhir(config, appointment)


@router.post("/{appointment_id}/cancel")
def cancel(appointment_id: str, body: Cancellation, request: Request, session: SessionDep, user: CareSide,
           config: ConfigDep) -> dict:
    appointment = _appointment(request, session, user, appointment_id)
    appointments.cancel(appointment, user, body.reason)
    session.commit()
    return appointments.as_fhir(config, appointment)


@router.post("/{appointment_id}/close")
def close(appointment_id: str, request: Request, session: SessionDep,
          user: Annotated[User, Depends(require_roles(Role.clinician))], config: ConfigDep,
          outcome: Literal["no-show", "complete"] = Query()) -> dict:
    appointment = _appointment(request, session, user, appointment_id)
    appointments.close(appointment, user, outcome, utcnow())
    session.commit()
    return appointments.as_fhir(config, appointment)


@router.post("/reminders/run")
def send_reminders(request: Request, session: SessionDep, config: ConfigDep, _staff: Staff) -> dict:
    """Send due reminders (booked, starting within the lead time, not yet reminded) and mark them
    sent: a live `appointment-reminder` event to the patient's and caregivers' app sessions. The
    app also shows them from the appointment list (`reminder_sent`), for whoever was offline.
    The `telehealth_reminders` DAG calls this every 15 minutes."""
    due = appointments.due_reminders(session, config, utcnow())
    session.commit()
    for appointment in due:
        deliver(request.app, session, appointment.patient_id, {
            "type": "appointment-reminder", "appointment_id": appointment.id,
            "start": appointment.start.isoformat()}, audience="patient")  # fmt: skip
    return {"reminded": [{"appointment_id": a.id, "patient_id": a.patient_id, "start": a.start.isoformat()} for a in due]}
