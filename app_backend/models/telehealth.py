"""Telehealth tables: conversation threads with the care team (FHIR Communication shape),
attachments, read receipts, and teleconsultations (FHIR Appointment shape)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app_backend.db import Base, UTCDateTime, utcnow
from app_backend.models.core import new_id


class Thread(Base):
    __tablename__ = "telehealth_thread"
    __table_args__ = (Index("ix_telehealth_thread_patient", "patient_id", "last_message_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    patient_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int] = mapped_column(Integer)
    # The care-team member answering the thread; hand-over moves it to another member.
    assigned_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "patient" while the last word is the patient's side (patient or caregiver), "team" after a reply.
    awaiting: Mapped[str] = mapped_column(String(10), default="team")
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Attachment(Base):
    """A file stored under its own random id: nothing from the uploader reaches the filesystem."""

    __tablename__ = "telehealth_attachment"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    thread_id: Mapped[str] = mapped_column(ForeignKey("telehealth_thread.id", ondelete="CASCADE"), index=True)
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(120))
    uploaded_by: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Message(Base):
    __tablename__ = "telehealth_message"
    __table_args__ = (Index("ix_telehealth_message_thread", "thread_id", "sent_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    thread_id: Mapped[str] = mapped_column(ForeignKey("telehealth_thread.id", ondelete="CASCADE"))
    sender_id: Mapped[int] = mapped_column(Integer)
    sender_role: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    attachment_id: Mapped[str | None] = mapped_column(
        ForeignKey("telehealth_attachment.id", ondelete="SET NULL"), nullable=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MessageRead(Base):
    __tablename__ = "telehealth_message_read"

    message_id: Mapped[str] = mapped_column(
        ForeignKey("telehealth_message.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Appointment(Base):
    __tablename__ = "telehealth_appointment"
    __table_args__ = (Index("ix_telehealth_appointment_patient", "patient_id", "start"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    patient_id: Mapped[str] = mapped_column(String(64))
    # FHIR Appointment.status: proposed (requested) → pending (slots offered) → booked →
    # fulfilled | noshow; cancelled from any open state.
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    reason: Mapped[str] = mapped_column(String(500))
    requested_by: Mapped[int] = mapped_column(Integer)
    clinician_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    offered_slots: Mapped[list] = mapped_column(JSON, default=list)
    start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    room: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    cancellation_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
