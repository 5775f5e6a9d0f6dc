"""Who is signed in and what they may see. Enforced in every page, not only by the menu.

- clinician: the worklist and the patient view, for the patients of their own care teams only
  (the backend's /clinician/patients, mapped to warehouse keys through the identity file);
- analyst: pseudonymised, suppressed cohort pages and data quality; never a patient view;
- admin: the same as analysts (patient views need a care-team relationship, which admins lack).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import streamlit as st

from dashboards.backend import BackendClient, BackendError, SessionExpired

CLINICIAN, ANALYST, ADMIN = "clinician", "analyst", "admin"
DASHBOARD_ROLES = (CLINICIAN, ANALYST, ADMIN)
PATIENT_VIEW_ROLES = (CLINICIAN,)
AGGREGATE_ROLES = (ANALYST, ADMIN)
CARE_TEAM_REFRESH_S = 300
_KEY = "account"


class AccessDenied(Exception):
    """The signed-in account may not see this; the message says so in one line."""


@dataclass
class Account:
    email: str
    role: str
    token: str
    refresh_token: str | None = None
    name: str | None = None
    care_team: list[dict] = field(default_factory=list)
    care_team_loaded_at: float = 0.0

    def client(self) -> BackendClient:
        return BackendClient(self.token, self.refresh_token, on_tokens=self._renewed)

    def _renewed(self, token: str, refresh_token: str | None) -> None:
        self.token, self.refresh_token = token, refresh_token


def sign_in(email: str, password: str) -> Account:
    """Authenticate against the backend; raise BackendError/AccessDenied with a one-line reason."""
    client = BackendClient()
    token = client.sign_in(email.strip(), password)
    me = client.me()
    role = str(me.get("role") or "").lower()
    if role not in DASHBOARD_ROLES:
        raise AccessDenied(
            "These dashboards are for care teams and analysts; patients use the survivor app."
        )
    account = Account(email=me.get("email") or email, role=role, token=token,
                      refresh_token=client.refresh_token,
                      name=me.get("name") or me.get("display_name"))  # fmt: skip
    st.session_state[_KEY] = account
    return account


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def current() -> Account | None:
    account = st.session_state.get(_KEY)
    return account if isinstance(account, Account) else None


def require(*roles: str) -> Account:
    """Stop the page unless someone with one of `roles` is signed in."""
    account = current()
    if account is None:
        st.warning("Please sign in to see this page.")
        st.stop()
    if account.role not in roles:
        st.error("Your role does not give access to this page.")
        st.stop()
    return account


def care_team(account: Account, *, refresh: bool = False) -> list[dict]:
    """The clinician's patients as the backend says now (re-read every few minutes)."""
    stale = time.monotonic() - account.care_team_loaded_at > CARE_TEAM_REFRESH_S
    if refresh or stale or not account.care_team_loaded_at:
        try:
            account.care_team = account.client().care_team_patients()
        except SessionExpired:
            sign_out()
            raise
        account.care_team_loaded_at = time.monotonic()
    return account.care_team


def fhir_id(patient: dict) -> str | None:
    for key in ("patient_id", "fhir_id", "id"):
        if patient.get(key):
            return str(patient[key])
    return None


def teams_of(patient: dict) -> list[str]:
    teams = (patient.get("care_teams") or patient.get("teams") or patient.get("care_team")
             or patient.get("team") or [])
    if isinstance(teams, (str, dict)):
        teams = [teams]
    names = [t.get("name") or t.get("id") if isinstance(t, dict) else t for t in teams]
    return [str(n) for n in names if n]


__all__ = ["AccessDenied", "Account", "BackendError", "care_team", "current", "require",
           "sign_in", "sign_out"]  # fmt: skip


def my_patients(account: Account, identity_path: str | None):
    """Care-team patients known to the snapshot: patient_key, patient_id, display_name, ... teams."""
    from dashboards import data  # late import: keeps this module free of snapshot concerns

    team: dict[str, list[str]] = {}
    for patient in care_team(account):  # one row per patient and team
        if fhir_id(patient):
            team.setdefault(fhir_id(patient), []).extend(teams_of(patient))
    if identity_path is None:
        raise AccessDenied("Patient identities are not published yet: ask the data team.")
    found = data.identity_for_fhir_ids(identity_path, tuple(sorted(team))).copy()
    found["teams"] = [", ".join(sorted(set(team.get(pid, [])))) for pid in found["patient_id"]]
    return found


def authorise_patient(account: Account, identity_path: str | None, patient_key: str) -> dict:
    """The identity row of a patient the clinician may open, else AccessDenied."""
    if account.role not in PATIENT_VIEW_ROLES:
        raise AccessDenied("Your role does not give access to patient views.")
    mine = my_patients(account, identity_path)
    match = mine[mine["patient_key"] == patient_key]
    if match.empty:
        raise AccessDenied("This patient is not in your care teams.")
    return match.iloc[0].to_dict()
