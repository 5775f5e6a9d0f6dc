"""Administration: staff accounts, care teams, and the audit trail (admins only)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from sqlalchemy import select

from app_backend.api.deps import AdminUser, SessionDep
from app_backend.api.routes.auth import user_out
from app_backend.api.schemas import (
    CareTeamIn,
    CareTeamOut,
    CreateUserIn,
    FhirResourceOut,
    MemberIn,
    PatientIn,
    UserOut,
    UserPatchIn,
)
from app_backend.fhir.bundles import aware, searchset
from app_backend.models import AuditRecord, CareTeam, User
from app_backend.services import accounts, care_teams
from app_backend.services.audit import as_fhir

router = APIRouter(prefix="/admin", tags=["admin"])

UserId = Annotated[int, Query(ge=1, le=2**31 - 1)]
Count = Annotated[int, Query(alias="_count", ge=1, le=200)]
Offset = Annotated[int, Query(alias="_offset", ge=0, le=1_000_000)]


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserOut)
def create_user(body: CreateUserIn, _admin: AdminUser, session: SessionDep) -> UserOut:
    """Create any account: clinicians, moderators, admins and the pipeline's service account."""
    user = accounts.create_user(
        session, email=body.email, password=body.password, name=body.name, role=body.role,
        birth_date=body.birth_date.isoformat() if body.birth_date else None,
    )
    session.commit()
    return user_out(user)


@router.get("/users", response_model=list[UserOut])
def list_users(_admin: AdminUser, session: SessionDep, count: Count = 100, offset: Offset = 0):
    users = session.scalars(select(User).order_by(User.id).offset(offset).limit(count))
    return [user_out(u) for u in users]


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(user_id: int, body: UserPatchIn, _admin: AdminUser, session: SessionDep) -> UserOut:
    """Rename or (de)activate an account; deactivation ends its sessions at once."""
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        raise accounts.AccountError(404, f"user {user_id} was not found")
    if body.name is not None:
        user.name = body.name
    if body.is_active is not None and body.is_active != user.is_active:
        user.is_active = body.is_active
        user.token_version += 1
    session.commit()
    return user_out(user)


@router.post("/care-teams", status_code=status.HTTP_201_CREATED, response_model=CareTeamOut)
def create_care_team(body: CareTeamIn, _admin: AdminUser, session: SessionDep) -> CareTeamOut:
    team = care_teams.create_team(session, body.name)
    session.commit()
    return CareTeamOut(**care_teams.describe(session, team))


@router.get("/care-teams", response_model=list[CareTeamOut])
def list_care_teams(_admin: AdminUser, session: SessionDep) -> list[CareTeamOut]:
    teams = session.scalars(select(CareTeam).order_by(CareTeam.id))
    return [CareTeamOut(**care_teams.describe(session, t)) for t in teams]


def _team(session, team_id: int) -> CareTeam:
    if not 0 < team_id < 2**31:
        raise accounts.AccountError(404, f"care team {team_id} was not found")
    return care_teams.get_team(session, team_id)


@router.post("/care-teams/{team_id}/members", response_model=CareTeamOut)
def add_member(team_id: int, body: MemberIn, _admin: AdminUser, session: SessionDep) -> CareTeamOut:
    team = _team(session, team_id)
    care_teams.add_member(session, team, body.user_id)
    session.commit()
    return CareTeamOut(**care_teams.describe(session, team))


@router.delete("/care-teams/{team_id}/members/{user_id}", response_model=CareTeamOut)
def remove_member(team_id: int, user_id: int, _admin: AdminUser, session: SessionDep) -> CareTeamOut:
    team = _team(session, team_id)
    care_teams.remove_member(session, team, user_id)
    session.commit()
    return CareTeamOut(**care_teams.describe(session, team))


@router.post("/care-teams/{team_id}/patients", response_model=CareTeamOut)
def add_patient(team_id: int, body: PatientIn, admin: AdminUser, session: SessionDep) -> CareTeamOut:
    """Enrol a patient: records their consent to share with this team (withdrawable)."""
    team = _team(session, team_id)
    care_teams.add_patient(session, team, body.patient_id, admin.id)
    session.commit()
    return CareTeamOut(**care_teams.describe(session, team))


@router.delete("/care-teams/{team_id}/patients/{patient_id}", response_model=CareTeamOut)
def remove_patient(team_id: int, patient_id: str, _admin: AdminUser, session: SessionDep) -> CareTeamOut:
    team = _team(session, team_id)
    care_teams.remove_patient(session, team, patient_id)
    session.commit()
    return CareTeamOut(**care_teams.describe(session, team))


@router.get("/audit-events", response_model=FhirResourceOut)
def audit_events(
    request: Request,
    _admin: AdminUser,
    session: SessionDep,
    patient: Annotated[str | None, Query(max_length=64)] = None,
    user_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    since: Annotated[datetime | None, Query(alias="_since")] = None,
    count: Count = 100,
    offset: Offset = 0,
) -> dict:
    """Who saw which patient's data, when and why: a FHIR Bundle of AuditEvents, newest first."""
    query = select(AuditRecord)
    if patient:
        query = query.where(AuditRecord.patient_id == patient)
    if user_id:
        query = query.where(AuditRecord.user_id == user_id)
    if since:
        query = query.where(AuditRecord.recorded >= aware(since))
    rows = list(session.scalars(
        query.order_by(AuditRecord.id.desc()).offset(offset).limit(count + 1)
    ))
    return searchset(request, [as_fhir(r) for r in rows[:count]], has_more=len(rows) > count,
                     offset=offset, count=count)
