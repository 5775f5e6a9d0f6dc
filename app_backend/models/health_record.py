"""Health-record module tables: real-time alerts raised when a submission breaks a rule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app_backend.db import Base, UTCDateTime, utcnow
from app_backend.models.core import new_id


class RealtimeAlert(Base):
    """An alert the backend raised on submission (rules with evaluated_on_submission = true)."""

    __tablename__ = "realtime_alert"
    __table_args__ = (Index("ix_realtime_alert_patient_time", "patient_id", "triggered_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    patient_id: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[str] = mapped_column(String(40))
    rule_version: Mapped[int] = mapped_column(Integer)
    severity: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    triggered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The values that fired it and the resource they came from, so a clinician sees why.
    evidence: Mapped[dict] = mapped_column(JSON)
    focus: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="open")
