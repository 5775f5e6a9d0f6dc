"""Core tables: accounts, care teams, consent, audit, the FHIR resource store and export jobs."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app_backend.db import Base, UTCDateTime, utcnow


def new_id() -> str:
    return str(uuid.uuid4())


class Role(enum.StrEnum):
    patient = "patient"
    caregiver = "caregiver"
    clinician = "clinician"
    moderator = "moderator"
    admin = "admin"
    service = "service"  # the pipeline's bulk-export client
    analyst = "analyst"  # cohort dashboards only: pseudonymised aggregates, no patient access


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    # The FHIR Patient this account is (patients only).
    patient_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or deactivation: every token issued before stops working.
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CareTeam(Base):
    __tablename__ = "care_team"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CareTeamMember(Base):
    """A clinician on a care team."""

    __tablename__ = "care_team_member"

    care_team_id: Mapped[int] = mapped_column(
        ForeignKey("care_team.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CareTeamPatient(Base):
    """A patient followed by a care team."""

    __tablename__ = "care_team_patient"

    care_team_id: Mapped[int] = mapped_column(
        ForeignKey("care_team.id", ondelete="CASCADE"), primary_key=True
    )
    patient_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class ConsentRecord(Base):
    """One FHIR Consent. Scope patient-privacy: a patient permits (or denies) one recipient access
    to one module; module "*" covers every module; recipient is CareTeam/<id> or User/<id>.
    Scope research: the patient permits (or objects to) research use of their pseudonymised data;
    no recipient, module "*"; at most one is active (a new one supersedes the last).
    Withdrawal sets status to inactive; the record stays, as evidence of what was allowed when.
    """

    __tablename__ = "consent"
    __table_args__ = (Index("ix_consent_lookup", "patient_id", "recipient", "status"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    patient_id: Mapped[str] = mapped_column(String(64))
    module: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str | None] = mapped_column(String(80))
    decision: Mapped[str] = mapped_column(String(10))  # permit | deny
    scope: Mapped[str] = mapped_column(String(20), default="patient-privacy",
                                       server_default="patient-privacy")  # | research
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | inactive
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditRecord(Base):
    """One FHIR AuditEvent: who touched whose health data, how, when and why."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_patient_time", "patient_id", "recorded"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recorded: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(1))  # C R U D E (FHIR AuditEventAction)
    patient_id: Mapped[str | None] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(2), default="0")  # 0 success, 4 denied
    client: Mapped[str | None] = mapped_column(String(64))


class LoginAttempt(Base):
    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_email_time", "email", "attempted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    client: Mapped[str | None] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FhirResource(Base):
    """Every FHIR resource the backend holds, whole, with the columns search needs beside it.

    Modules store their FHIR resources here, and `$export` serves them all.
    """

    __tablename__ = "fhir_resource"
    __table_args__ = (
        Index("ix_fhir_type_patient_updated", "resource_type", "patient_id", "last_updated"),
        Index("ix_fhir_type_updated", "resource_type", "last_updated"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    resource_type: Mapped[str] = mapped_column(String(40))
    patient_id: Mapped[str | None] = mapped_column(String(64))
    # Every coding as " system|code " tokens, space-separated and space-padded, for token search.
    codes: Mapped[str | None] = mapped_column(Text)
    effective: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(Integer, default=1)
    last_updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(20))  # patient | clinician | import | system
    created_by: Mapped[int | None] = mapped_column(Integer)
    resource: Mapped[dict] = mapped_column(JSON)


class ExportJob(Base):
    """A FHIR Bulk Data `$export` request and, once done, its manifest."""

    __tablename__ = "export_job"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued|running|done|failed|cancelled
    level: Mapped[str] = mapped_column(String(20))  # system | patient
    resource_types: Mapped[list] = mapped_column(JSON)
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    request_url: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[int] = mapped_column(Integer)
    transaction_time: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    output: Mapped[list | None] = mapped_column(JSON)  # [{type, file, count}]
    error: Mapped[str | None] = mapped_column(Text)


