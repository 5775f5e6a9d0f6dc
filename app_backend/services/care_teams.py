"""Care teams: clinicians and the patients they follow. Enrolling a patient records the
patient's consent to share with that team (module "*"), which the patient can later withdraw."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app_backend.db import utcnow
from app_backend.models import CareTeam, CareTeamMember, CareTeamPatient, ConsentRecord, Role, User
from app_backend.services.access import ALL_MODULES
from app_backend.services.accounts import AccountError


def describe(session: Session, team: CareTeam) -> dict:
    members = session.scalars(
        select(CareTeamMember.user_id).where(CareTeamMember.care_team_id == team.id)
    )
    patients = session.scalars(
        select(CareTeamPatient.patient_id).where(CareTeamPatient.care_team_id == team.id)
    )
    return {"id": team.id, "name": team.name, "member_ids": sorted(members),
            "patient_ids": sorted(patients)}


def create_team(session: Session, name: str) -> CareTeam:
    if session.scalar(select(CareTeam).where(CareTeam.name == name)) is not None:
        raise AccountError(409, f"a care team named {name!r} already exists")
    team = CareTeam(name=name)
    session.add(team)
    session.flush()
    return team


def get_team(session: Session, team_id: int) -> CareTeam:
    team = session.get(CareTeam, team_id)
    if team is None:
        raise AccountError(404, f"care team {team_id} was not found")
    return team


def add_member(session: Session, team: CareTeam, user_id: int) -> None:
    user = session.get(User, user_id)
    if user is None or user.role != Role.clinician:
        raise AccountError(422, f"user {user_id} is not a clinician account")
    if session.get(CareTeamMember, (team.id, user_id)) is None:
        session.add(CareTeamMember(care_team_id=team.id, user_id=user_id))
        session.flush()


def add_patient(session: Session, team: CareTeam, patient_id: str, by_user: int | None) -> None:
    if session.scalar(select(User.id).where(User.patient_id == patient_id)) is None:
        raise AccountError(422, f"Patient/{patient_id} has no account")
    if session.get(CareTeamPatient, (team.id, patient_id)) is not None:
        return
    session.add(CareTeamPatient(care_team_id=team.id, patient_id=patient_id))
    session.add(ConsentRecord(
        patient_id=patient_id, module=ALL_MODULES, recipient=f"CareTeam/{team.id}",
        decision="permit", status="active", created_by=by_user,
    ))
    session.flush()


def remove_patient(session: Session, team: CareTeam, patient_id: str) -> None:
    link = session.get(CareTeamPatient, (team.id, patient_id))
    if link is not None:
        session.delete(link)
    for consent in session.scalars(select(ConsentRecord).where(
        ConsentRecord.patient_id == patient_id, ConsentRecord.recipient == f"CareTeam/{team.id}",
        ConsentRecord.status == "active",
    )):
        consent.status = "inactive"
        consent.updated_at = utcnow()
    session.flush()


def remove_member(session: Session, team: CareTeam, user_id: int) -> None:
    link = session.get(CareTeamMember, (team.id, user_id))
    if link is not None:
        session.delete(link)
        session.flush()
