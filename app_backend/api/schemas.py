"""Request and response bodies shared by the core routers (bounded strings everywhere)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Password = Annotated[str, Field(min_length=10, max_length=128)]
Note = Annotated[str, Field(max_length=2000)]
RoleName = Literal["patient", "caregiver", "clinician", "moderator", "admin", "service"]
ModuleName = Annotated[str, Field(pattern=r"^(\*|[a-z][a-z0-9-]{0,39})$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterIn(Strict):
    email: EmailStr
    password: Password
    name: Name
    birth_date: date | None = None


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    patient_id: str | None = None
    is_active: bool = True


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


class RefreshIn(Strict):
    refresh_token: Annotated[str, Field(min_length=1, max_length=4096)]


class PasswordChangeIn(Strict):
    current_password: Annotated[str, Field(min_length=1, max_length=128)]
    new_password: Password


class CreateUserIn(Strict):
    email: EmailStr
    password: Password
    name: Name
    role: RoleName
    birth_date: date | None = None


class UserPatchIn(Strict):
    is_active: bool | None = None
    name: Name | None = None


class CareTeamIn(Strict):
    name: Name


class CareTeamOut(BaseModel):
    id: int
    name: str
    member_ids: list[int]
    patient_ids: list[str]


class MemberIn(Strict):
    user_id: Annotated[int, Field(ge=1, le=2**31 - 1)]


class PatientIn(Strict):
    patient_id: Annotated[str, Field(min_length=1, max_length=64)]


class ConsentIn(Strict):
    module: ModuleName = "*"
    recipient: Annotated[str, Field(pattern=r"^(CareTeam|User)/[0-9]{1,10}$")]
    decision: Literal["permit", "deny"] = "permit"


class ResearchConsentIn(Strict):
    decision: Literal["permit", "deny"] = "permit"


class DelegationIn(Strict):
    caregiver_email: EmailStr
    module: ModuleName = "*"


class FhirResourceOut(BaseModel):
    """Any FHIR resource (validated with fhir.resources R4B)."""

    model_config = ConfigDict(extra="allow")
    resourceType: str
