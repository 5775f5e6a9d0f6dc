"""Accounts: patient self-registration (with their FHIR Patient), staff accounts created by an
admin, password login with throttling, and token issue and refresh."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, Row, and_, bindparam, func, select
from sqlalchemy.orm import Session

from app_backend import security
from app_backend.config import Settings
from app_backend.db import utcnow
from app_backend.models import FhirResource, LoginAttempt, Role, User
from app_backend.services import fhir_store


class AccountError(Exception):
    """A request about accounts that cannot be honoured; the message says why."""

    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def _split_name(name: str) -> dict:
    parts = name.strip().split()
    human = {"text": name.strip()}
    if len(parts) > 1:
        human |= {"family": parts[-1], "given": parts[:-1]}
    elif parts:
        human["family"] = parts[0]
    return human


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    name: str,
    role: Role | str,
    birth_date: str | None = None,
) -> User:
    """A new account; a patient account also gets its FHIR Patient."""
    role = Role(role)
    if find_by_email(session, email) is not None:
        raise AccountError(409, "an account with this email already exists: sign in instead")
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        role=role.value,
        password_hash=security.hash_password(password),
    )
    if role == Role.patient:
        patient = {"resourceType": "Patient", "active": True, "name": [_split_name(name)]}
        if birth_date:
            patient["birthDate"] = birth_date
        row = fhir_store.create(session, patient, source="patient", user_id=None)
        user.patient_id = row.id
    session.add(user)
    session.flush()
    return user


def _recent_failures(session: Session, settings: Settings, **where) -> int:
    since = utcnow() - timedelta(seconds=settings.login_window_seconds)
    column, value = next(iter(where.items()))
    return session.scalar(
        select(func.count()).select_from(LoginAttempt).where(
            getattr(LoginAttempt, column) == value,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at >= since,
        )
    ) or 0


def authenticate(
    session: Session, settings: Settings, *, email: str, password: str, client: str | None
) -> User:
    """The account for these credentials; throttled per account and per client address."""
    email = normalise_email(email)
    limit = settings.login_max_failures
    if _recent_failures(session, settings, email=email) >= limit or (
        client and _recent_failures(session, settings, client=client) >= limit * 4
    ):
        raise AccountError(429, "too many failed sign-in attempts: wait 15 minutes and try again")
    user = find_by_email(session, email)
    ok = security.verify_password(password, user.password_hash if user else None)
    ok = ok and user is not None and user.is_active
    session.add(LoginAttempt(email=email, client=client, succeeded=ok))
    session.commit()
    if not ok:
        raise AccountError(401, "wrong email or password")
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
        session.commit()
    return user


def issue_tokens(settings: Settings, user: User) -> dict:
    common = {"subject": str(user.id), "secret": settings.secret_key,
              "token_version": user.token_version, "role": user.role}
    access_lifetime = timedelta(minutes=settings.access_token_minutes)
    return {
        "access_token": security.create_token(kind=security.ACCESS, lifetime=access_lifetime, **common),
        "refresh_token": security.create_token(
            kind=security.REFRESH, lifetime=timedelta(days=settings.refresh_token_days), **common
        ),
        "token_type": "bearer",
        "expires_in": int(access_lifetime.total_seconds()),
    }


def _check_account(claims: dict, account) -> None:
    if account is None or not account.is_active or claims.get("ver") != account.token_version:
        raise security.TokenError("the account is unknown, inactive or signed out")


def _subject(claims: dict) -> int | None:
    try:
        return int(claims["sub"])
    except (TypeError, ValueError):
        return None


def user_from_token(session: Session, settings: Settings, token: str, kind: str) -> User:
    claims = security.decode_token(token, secret=settings.secret_key, kind=kind)
    subject = _subject(claims)
    user = session.get(User, subject) if subject is not None else None
    _check_account(claims, user)
    return user


@dataclass(frozen=True, slots=True)
class Caller:
    """The signed-in account as read-only routes need it (who, in which role, which Patient),
    loaded with one cached Core statement instead of an ORM identity load."""

    id: int
    role: str
    patient_id: str | None


_CALLER = select(User.id, User.role, User.patient_id, User.is_active, User.token_version).where(
    User.id == bindparam("id"))
# The caller and one stored resource in one statement (the resource's columns are None when it
# does not exist): a FHIR read authenticates and fetches in one round trip.
_CALLER_AND_RESOURCE = _CALLER.add_columns(
    FhirResource.patient_id.label("owner"), *fhir_store.RAW_COLUMNS[1:]
).outerjoin(FhirResource, and_(FhirResource.id == bindparam("resource_id"),
                               FhirResource.resource_type == bindparam("resource_type")))


def _access_subject(settings: Settings, token: str) -> tuple[dict, int | None]:
    claims = security.decode_token(token, secret=settings.secret_key, kind=security.ACCESS)
    return claims, _subject(claims)


def _caller(claims: dict, row) -> Caller:
    _check_account(claims, row)
    return Caller(id=row.id, role=row.role, patient_id=row.patient_id)


def caller_from_token(session: Session, settings: Settings, token: str) -> Caller:
    """The same checks as `user_from_token` for an access token: signature, expiry, kind,
    account active, token not revoked (its version is the account's current one)."""
    claims, subject = _access_subject(settings, token)
    row = session.connection().execute(_CALLER, {"id": subject}).first() if subject is not None else None
    return _caller(claims, row)


def caller_and_resource(connection: Connection, settings: Settings, token: str, resource_type: str,
                        resource_id: str) -> tuple[Caller, Row]:
    """`caller_from_token`, and one stored resource as `fhir_store.read_raw` has it (but its
    patient as `owner`; every column None when there is no such resource), in one statement.
    The resource must not be shown before the caller's access to its patient is checked."""
    claims, subject = _access_subject(settings, token)
    row = connection.execute(_CALLER_AND_RESOURCE, {
        "id": subject, "resource_id": resource_id, "resource_type": resource_type,
    }).first() if subject is not None else None
    return _caller(claims, row), row
