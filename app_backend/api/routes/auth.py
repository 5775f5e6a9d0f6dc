"""Accounts: patient self-registration, OAuth2 password sign-in, refresh, who am I, sign-out."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from app_backend import security
from app_backend.api.deps import CurrentUser, SessionDep, SettingsDep, client_address
from app_backend.api.schemas import PasswordChangeIn, RefreshIn, RegisterIn, TokenOut, UserOut
from app_backend.models import Role
from app_backend.services import accounts

router = APIRouter(prefix="/auth", tags=["auth"])

MAX_CREDENTIAL = 254


def user_out(user) -> UserOut:
    return UserOut(id=user.id, email=user.email, name=user.name, role=user.role,
                   patient_id=user.patient_id, is_active=user.is_active)


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=UserOut)
def register(body: RegisterIn, session: SessionDep) -> UserOut:
    """Create a patient account and the patient's FHIR Patient."""
    user = accounts.create_user(
        session, email=body.email, password=body.password, name=body.name, role=Role.patient,
        birth_date=body.birth_date.isoformat() if body.birth_date else None,
    )
    session.commit()
    return user_out(user)


@router.post("/register/caregiver", status_code=status.HTTP_201_CREATED, response_model=UserOut)
def register_caregiver(body: RegisterIn, session: SessionDep) -> UserOut:
    """Create a caregiver account: it sees nothing until a patient delegates access to it."""
    user = accounts.create_user(
        session, email=body.email, password=body.password, name=body.name, role=Role.caregiver
    )
    session.commit()
    return user_out(user)


@router.post("/token", response_model=TokenOut)
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
) -> TokenOut:
    """OAuth2 password flow: `username` is the email. Throttled after repeated failures."""
    if len(form.username) > MAX_CREDENTIAL or len(form.password) > 128:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong email or password")
    user = accounts.authenticate(
        session, settings, email=form.username, password=form.password,
        client=client_address(request),
    )
    return TokenOut(**accounts.issue_tokens(settings, user))


@router.post("/refresh", response_model=TokenOut)
def refresh(body: RefreshIn, session: SessionDep, settings: SettingsDep) -> TokenOut:
    """Trade a refresh token for a new pair of tokens."""
    try:
        user = accounts.user_from_token(session, settings, body.refresh_token, security.REFRESH)
    except security.TokenError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "the refresh token is not valid: sign in again") from None
    return TokenOut(**accounts.issue_tokens(settings, user))


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    """The caller's account: role, and for a patient their FHIR Patient id."""
    return user_out(user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(user: CurrentUser, session: SessionDep) -> None:
    """Sign out everywhere: every token issued so far stops working."""
    user.token_version += 1
    session.merge(user)
    session.commit()


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChangeIn, user: CurrentUser, session: SessionDep) -> None:
    if not security.verify_password(body.current_password, user.password_hash):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the current password is wrong")
    user.password_hash = security.hash_password(body.new_password)
    user.token_version += 1
    session.merge(user)
    session.commit()
