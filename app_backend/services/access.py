"""Who may see whose health data: deny by default.

- a patient: their own record;
- a caregiver: a patient who granted them an active `permit` Consent for the module;
- a clinician: a patient of one of their care teams, while the patient's Consent for that care
  team (or for the clinician) permits the module and no active `deny` Consent overrides it;
- admins, moderators and the service account: no per-patient access (the service account reads
  through `$export` only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import (
    Connection,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from app_backend.models import CareTeamMember, CareTeamPatient, ConsentRecord, Role, User
from app_backend.services.audit import (
    OUTCOME_DENIED,
    OUTCOME_SUCCESS,
    audit_values,
    deciding_insert,
    insert_audit,
)

if TYPE_CHECKING:
    from app_backend.services.accounts import Caller

ALL_MODULES = "*"

# The per-request access decision is one statement, built once: SQLAlchemy caches its compiled
# form, so a read pays for one round trip and no query construction.
_TEAM_RECIPIENTS = (  # "CareTeam/<id>" for each team of the clinician that follows the patient
    select(literal("CareTeam/", String) + cast(CareTeamMember.care_team_id, String))
    .select_from(CareTeamMember)
    .join(CareTeamPatient, CareTeamPatient.care_team_id == CareTeamMember.care_team_id)
    .where(CareTeamMember.user_id == bindparam("user_id"),
           CareTeamPatient.patient_id == bindparam("patient_id"))
)
_ACTIVE_CONSENT = and_(
    ConsentRecord.patient_id == bindparam("patient_id"),
    ConsentRecord.status == "active",
    or_(ConsentRecord.module == bindparam("module"), ConsentRecord.module == ALL_MODULES),
)
# A caregiver: consents naming them. A clinician: consents naming a care team of theirs that
# follows the patient, or naming them, the latter only while such a team exists.
_CAREGIVER_DECISIONS = select(ConsentRecord.decision).where(
    _ACTIVE_CONSENT, ConsentRecord.recipient == bindparam("own"))
_CLINICIAN_DECISIONS = select(ConsentRecord.decision).where(
    _ACTIVE_CONSENT,
    or_(ConsentRecord.recipient.in_(_TEAM_RECIPIENTS),
        and_(ConsentRecord.recipient == bindparam("own"), exists(_TEAM_RECIPIENTS))),
)


def _permitted(decisions: Select):
    """SQL: at least one permit among these decisions, and no deny (a deny outranks a permit)."""
    rank = case((ConsentRecord.decision == "deny", 2), (ConsentRecord.decision == "permit", 1), else_=0)
    return func.coalesce(decisions.with_only_columns(func.max(rank)).scalar_subquery(), 0) == 1


# Per role: the purpose of its access and the statement that decides it and records the decision.
_AUDITED_ACCESS = {
    Role.caregiver: ("caregiving", deciding_insert(_permitted(_CAREGIVER_DECISIONS))),
    Role.clinician: ("treatment", deciding_insert(_permitted(_CLINICIAN_DECISIONS))),
}


def clinician_team_ids(session: Session, user_id: int, patient_id: str | None = None) -> list[int]:
    query = select(CareTeamMember.care_team_id).where(CareTeamMember.user_id == user_id)
    if patient_id is not None:
        query = query.join(
            CareTeamPatient, CareTeamPatient.care_team_id == CareTeamMember.care_team_id
        ).where(CareTeamPatient.patient_id == patient_id)
    return list(session.scalars(query))


def access_purpose(session: Session, user: User | Caller, patient_id: str, module: str) -> str | None:
    """Why this user may reach this patient's data in this module (FHIR purposeOfUse), or None."""
    if user.role == Role.patient:
        return "self" if user.patient_id == patient_id else None
    if user.role == Role.caregiver:
        statement, purpose = _CAREGIVER_DECISIONS, "caregiving"
    elif user.role == Role.clinician:
        statement, purpose = _CLINICIAN_DECISIONS, "treatment"
    else:
        return None
    decisions = set(session.connection().scalars(statement, {
        "patient_id": patient_id, "module": module, "own": f"User/{user.id}", "user_id": user.id}))
    return purpose if "permit" in decisions and "deny" not in decisions else None


def audited_access(connection: Connection, user: User | Caller, patient_id: str, module: str, *,
                   action: str, entity: str, client: str | None) -> str | None:
    """`access_purpose`, with every decision about anyone but the patient recorded as an
    AuditEvent (success or denied) by the same statement, on this connection. The caller commits
    (on an autocommit connection the record is committed when this returns). A patient reaching
    their own record is not audited, nor one refused someone else's."""
    if user.role == Role.patient:
        return "self" if user.patient_id == patient_id else None
    values = audit_values(user=user, action=action, patient_id=patient_id, entity=entity,
                          purpose="denied", client=client)
    if user.role not in _AUDITED_ACCESS:  # no per-patient access: a refusal, audited
        insert_audit(connection, {**values, "outcome": OUTCOME_DENIED})
        return None
    purpose, statement = _AUDITED_ACCESS[user.role]
    outcome = connection.execute(statement, {
        **{f"audit_{k}": v for k, v in values.items()}, "audit_purpose": purpose,
        "patient_id": patient_id, "module": module, "own": f"User/{user.id}", "user_id": user.id,
    }).scalar_one()
    return purpose if outcome == OUTCOME_SUCCESS else None


def accessible_patient_ids(session: Session, user: User | Caller, module: str) -> list[str]:
    """Every patient this user may reach in this module (for lists and searches without
    `patient`), in a fixed number of queries however many patients a clinician follows."""
    if user.role == Role.patient:
        return [user.patient_id] if user.patient_id else []
    own = f"User/{user.id}"
    if user.role == Role.caregiver:
        recipients_by_patient: dict[str, set[str]] = {}
        for patient_id in session.scalars(select(ConsentRecord.patient_id).where(
                ConsentRecord.recipient == own, ConsentRecord.status == "active")):
            recipients_by_patient[patient_id] = {own}
    elif user.role == Role.clinician:
        teams = clinician_team_ids(session, user.id)
        recipients_by_patient = {}
        for patient_id, team_id in session.execute(
                select(CareTeamPatient.patient_id, CareTeamPatient.care_team_id)
                .where(CareTeamPatient.care_team_id.in_(teams))):
            recipients_by_patient.setdefault(patient_id, {own}).add(f"CareTeam/{team_id}")
    else:
        return []
    if not recipients_by_patient:
        return []
    decisions: dict[str, set[str]] = {}
    for patient_id, recipient, decision in session.execute(
            select(ConsentRecord.patient_id, ConsentRecord.recipient, ConsentRecord.decision).where(
                ConsentRecord.patient_id.in_(list(recipients_by_patient)),
                ConsentRecord.module.in_([module, ALL_MODULES]),
                ConsentRecord.status == "active")):
        if recipient in recipients_by_patient[patient_id]:
            decisions.setdefault(patient_id, set()).add(decision)
    return sorted(p for p, d in decisions.items() if "permit" in d and "deny" not in d)
