"""Dependencies every module reuses, as `Annotated` aliases (FastAPI full-stack template style).

    SessionDep            a SQLAlchemy session for the request
    CurrentUser           the signed-in account (401 otherwise)
    care_caller(...)      the signed-in patient, caregiver or clinician as a light `Caller`
                          (same token checks, no ORM object), for read-only hot paths that do
                          all their work in one threadpool call (care_caller_and_resource:
                          with one stored resource, in the same statement)
    PatientUser, ClinicianUser, AdminUser, ServiceUser, StaffUser
                          the signed-in account with that role (403 otherwise)
    require_roles(*roles) build another role check
    PatientAccessChecker(module)
                          a dependency for routes with a `patient_id` path or query parameter:
                          404 unless the caller may see that patient in that module; audits
                          every access by anyone but the patient
    require_patient_access the health-record module's checker
    check_patient_access(...) the same check when the patient id comes from a request body
    audit(request, user, ...) write one AuditEvent
    audit_listed(...)     one AuditEvent per patient a list or search answer shows to staff or
                          caregivers
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Connection, Row
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app_backend.config import Settings
from app_backend.models import Role, User
from app_backend.security import ACCESS, TokenError
from app_backend.services import accounts
from app_backend.services.access import access_purpose, audited_access
from app_backend.services.accounts import Caller
from app_backend.services.audit import (
    ACTIONS,
    OUTCOME_SUCCESS,
    audit_values,
    write_audit,
    write_audits,
)

HEALTH_RECORD = "health-record"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


# Dependencies that do no I/O are `async def`: FastAPI would otherwise hop to the threadpool for
# each of them, which costs more than the work itself. Those that query the database stay sync.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    # Creating a Session does not connect; the connection is taken on first use, in the
    # threadpool, by the sync dependency or route that uses it.
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        if session.in_transaction():
            # Closing rolls the open transaction back: a round trip to PostgreSQL, which must not
            # block the event loop (and every other request of this worker) while it lasts.
            await run_in_threadpool(session.close)
        else:
            session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
TokenDep = Annotated[str | None, Depends(oauth2_scheme)]

UNAUTHORIZED = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="sign in first: send Authorization: Bearer <access token from /auth/token>",
    headers={"WWW-Authenticate": "Bearer"},
)


def get_current_user(session: SessionDep, settings: SettingsDep, token: TokenDep) -> User:
    if not token:
        raise UNAUTHORIZED
    try:
        return accounts.user_from_token(session, settings, token, ACCESS)
    except TokenError:
        raise UNAUTHORIZED from None


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_caller(session: SessionDep, settings: SettingsDep, token: TokenDep) -> Caller:
    if not token:
        raise UNAUTHORIZED
    try:
        return accounts.caller_from_token(session, settings, token)
    except TokenError:
        raise UNAUTHORIZED from None


def _in_role(user: User | Caller, allowed: frozenset[str]) -> User | Caller:
    if user.role not in allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "your role may not do this")
    return user


def require_roles(*roles: Role, source=get_current_user):
    """A dependency: the account from `source` (the ORM `User` unless told), 403 for other roles."""
    allowed = frozenset(r.value for r in roles)
    # A default, not an annotation: annotations are strings here (postponed evaluation) and
    # FastAPI could not resolve this closure variable from one.
    account = Depends(source)

    async def check(user: User | Caller = account) -> User | Caller:
        return _in_role(user, allowed)

    return check


PatientUser = Annotated[User, Depends(require_roles(Role.patient))]
ClinicianUser = Annotated[User, Depends(require_roles(Role.clinician))]
AdminUser = Annotated[User, Depends(require_roles(Role.admin))]
ServiceUser = Annotated[User, Depends(require_roles(Role.service))]
CARE_ROLES = (Role.patient, Role.caregiver, Role.clinician)
CareUser = Annotated[User, Depends(require_roles(*CARE_ROLES))]
CARE_ROLE_NAMES = frozenset(r.value for r in CARE_ROLES)


def care_caller(session: Session, request: Request, token: str | None) -> Caller:
    """`CareCaller`'s checks (401, 403), for a route that does all its work in one threadpool call."""
    return _in_role(get_caller(session, request.app.state.settings, token), CARE_ROLE_NAMES)


def care_caller_and_resource(connection: Connection, request: Request, token: str | None,
                             resource_type: str, resource_id: str) -> tuple[Caller, Row]:
    """`CareCaller`'s checks (401, 403) and the stored resource (`accounts.caller_and_resource`)
    in one statement, for a read route that does all its work in one threadpool call."""
    if not token:
        raise UNAUTHORIZED
    try:
        caller, row = accounts.caller_and_resource(connection, request.app.state.settings, token,
                                                   resource_type, resource_id)
    except TokenError:
        raise UNAUTHORIZED from None
    return _in_role(caller, CARE_ROLE_NAMES), row


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def audit(
    request: Request,
    user: User | Caller | None,
    *,
    patient_id: str | None,
    entity: str,
    purpose: str,
    action: str | None = None,
    outcome: str = OUTCOME_SUCCESS,
    session: Session | None = None,
) -> None:
    """Write one AuditEvent, committed before this returns. A read request may pass its session
    (nothing pending in it): the record then rides on its connection instead of a new one."""
    read_only = session is not None and request.method in SAFE_METHODS
    write_audit(
        session if read_only else request.app.state.session_factory,
        user=user,
        action=action or ACTIONS.get(request.method, "E"),
        patient_id=patient_id,
        entity=entity,
        purpose=purpose,
        outcome=outcome,
        client=client_address(request),
    )


PURPOSES = {Role.caregiver: "caregiving", Role.clinician: "treatment"}


def audit_listed(request: Request, session: Session, user: User | Caller, patient_ids: Iterable[str | None],
                 *, entity: str) -> None:
    """One AuditEvent per patient whose data a list or search answer shows to a caregiver or
    clinician (a patient's own are not audited), committed on the request's session before the
    answer leaves (one INSERT): call it on a read with nothing pending in the session."""
    if user.role == Role.patient:
        return
    details = {"user": user, "action": ACTIONS.get(request.method, "E"), "entity": entity,
               "purpose": PURPOSES.get(user.role, "denied"), "client": client_address(request)}
    write_audits(session if request.method in SAFE_METHODS else request.app.state.session_factory,
                 [audit_values(patient_id=seen, **details) for seen in sorted({p for p in patient_ids if p})])


@dataclass(frozen=True)
class PatientAccess:
    patient_id: str
    user: User
    purpose: str  # self | caregiving | treatment

    @property
    def is_self(self) -> bool:
        return self.purpose == "self"


def check_patient_access(
    request: Request,
    session: Session,
    user: User | Caller,
    patient_id: str,
    *,
    module: str = HEALTH_RECORD,
    entity: str | None = None,
    action: str | None = None,
) -> PatientAccess:
    """The caller's access to this patient, or 404 as if the patient did not exist. Every decision
    about anyone but the patient is audited, by the statement that takes it, and committed before
    this returns: a read request's on its session (committing its transaction, with nothing
    pending in it), any other's in a transaction of its own, which a later failure cannot undo."""
    if user.role == Role.patient:
        purpose = access_purpose(session, user, patient_id, module)  # their own record or nothing
    else:
        details = {"action": action or ACTIONS.get(request.method, "E"),
                   "entity": entity or request.url.path, "client": client_address(request)}
        if request.method in SAFE_METHODS:
            purpose = audited_access(session.connection(), user, patient_id, module, **details)
            session.commit()
        else:
            with request.app.state.engine.begin() as connection:
                purpose = audited_access(connection, user, patient_id, module, **details)
    if purpose is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Patient/{patient_id} was not found")
    return PatientAccess(patient_id=patient_id, user=user, purpose=purpose)


class PatientAccessChecker:
    """Dependency for a module's routes that name the patient in the path or query."""

    def __init__(self, module: str):
        self.module = module

    def __call__(
        self, patient_id: str, request: Request, session: SessionDep, user: CurrentUser
    ) -> PatientAccess:
        return check_patient_access(request, session, user, patient_id, module=self.module)


require_patient_access = PatientAccessChecker(HEALTH_RECORD)
HealthRecordAccess = Annotated[PatientAccess, Depends(require_patient_access)]
