"""Consent records: created by the patient (or on care-team enrolment), withdrawn by the
patient, and rendered as FHIR Consent resources (exported with the patient's data).

Two scopes: patient-privacy (who may see which module; enforced here, services/access.py) and
research (may the pseudonymised data feed analyst views and OMOP exports; enforced by the
warehouse from the exported Consents: dbt int_research_withdrawn_patients)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app_backend.db import utcnow
from app_backend.models import ConsentRecord, Role, User
from app_backend.services.accounts import AccountError, find_by_email

MODULE_SYSTEM = "http://survivorship-platform.org/fhir/CodeSystem/app-module"
USER_ID_SYSTEM = "http://survivorship-platform.org/fhir/user-id"
SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope"
PRIVACY, RESEARCH = "patient-privacy", "research"
# FHIR R4 Consent.provision.purpose for research use: v3 PurposeOfUse HRESCH (healthcare research).
PURPOSE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
RESEARCH_PURPOSE = "HRESCH"


def _recipient_exists(session: Session, recipient: str) -> bool:
    from app_backend.models import CareTeam

    kind, _, raw_id = recipient.partition("/")
    model = CareTeam if kind == "CareTeam" else User
    return session.get(model, int(raw_id)) is not None


def grant(session: Session, *, patient_id: str, module: str, recipient: str, decision: str,
          by_user: int) -> ConsentRecord:
    if not _recipient_exists(session, recipient):
        raise AccountError(422, f"{recipient} does not exist")
    record = ConsentRecord(patient_id=patient_id, module=module, recipient=recipient,
                           decision=decision, status="active", created_by=by_user)
    session.add(record)
    session.flush()
    return record


def delegate_to_caregiver(session: Session, *, patient_id: str, caregiver_email: str, module: str,
                          by_user: int) -> ConsentRecord:
    caregiver = find_by_email(session, caregiver_email)
    if caregiver is None or caregiver.role != Role.caregiver:
        raise AccountError(
            422, "no caregiver account has this email: ask them to register as a caregiver first"
        )
    return grant(session, patient_id=patient_id, module=module, recipient=f"User/{caregiver.id}",
                 decision="permit", by_user=by_user)


def record_research(session: Session, *, patient_id: str, decision: str, by_user: int) -> ConsentRecord:
    """The patient's research-use decision (permit, or deny = objection); it supersedes the last
    one, so the newest research Consent always states the patient's current wish."""
    now = utcnow()
    for earlier in session.scalars(select(ConsentRecord).where(
            ConsentRecord.patient_id == patient_id, ConsentRecord.scope == RESEARCH,
            ConsentRecord.status == "active")):
        earlier.status = "inactive"
        earlier.updated_at = now
    record = ConsentRecord(patient_id=patient_id, module="*", recipient=None, decision=decision,
                           scope=RESEARCH, status="active", created_by=by_user,
                           created_at=now, updated_at=now)
    session.add(record)
    session.flush()
    return record


def withdraw(session: Session, patient_id: str, consent_id: str) -> ConsentRecord:
    record = session.get(ConsentRecord, consent_id)
    if record is None or record.patient_id != patient_id:
        raise AccountError(404, f"Consent/{consent_id} was not found")
    record.status = "inactive"
    record.updated_at = utcnow()
    session.flush()
    return record


def for_patient(session: Session, patient_id: str) -> list[ConsentRecord]:
    return list(session.scalars(
        select(ConsentRecord).where(ConsentRecord.patient_id == patient_id)
        .order_by(ConsentRecord.created_at)
    ))


def _actor_reference(recipient: str) -> dict:
    kind, _, raw_id = recipient.partition("/")
    if kind == "CareTeam":
        return {"reference": recipient}
    return {"identifier": {"system": USER_ID_SYSTEM, "value": raw_id}}


def _research_provision(record: ConsentRecord) -> dict:
    return {
        "type": record.decision,
        "purpose": [{"system": PURPOSE_SYSTEM, "code": RESEARCH_PURPOSE, "display": "healthcare research"}],
    }


def _privacy_provision(record: ConsentRecord) -> dict:
    provision = {
        "type": record.decision,
        "actor": [{
            "role": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                "code": "IRCP", "display": "information recipient",
            }]},
            "reference": _actor_reference(record.recipient),
        }],
        "action": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/consentaction", "code": "access",
        }]}],
    }
    if record.module != "*":
        provision["code"] = [{"coding": [{"system": MODULE_SYSTEM, "code": record.module}]}]
    return provision


def as_fhir(record: ConsentRecord) -> dict:
    research = record.scope == RESEARCH
    category = [{"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}]}]
    if research:
        category.insert(0, {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/consentcategorycodes", "code": "research",
        }]})
    return {
        "resourceType": "Consent",
        "id": record.id,
        "meta": {"lastUpdated": record.updated_at.isoformat()},
        "status": record.status,
        "scope": {"coding": [{"system": SCOPE_SYSTEM, "code": RESEARCH if research else PRIVACY}]},
        "category": category,
        "patient": {"reference": f"Patient/{record.patient_id}"},
        "dateTime": record.created_at.isoformat(),
        "policyRule": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "OPTIN" if record.decision == "permit" else "OPTOUT",
        }]},
        "provision": _research_provision(record) if research else _privacy_provision(record),
    }
