"""The dashboards' client for the backend API: sign-in, care teams, alert actions, IPS, messages.

Everything a clinician *does* goes through here, so the backend authorises and audits it; the
dashboards never write the warehouse. Errors become one of three exceptions whose message is one
line a user can act on; nothing from the wire is shown raw.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import httpx

from dashboards.config import get_settings

ACTIONS = ("acknowledge", "resolve", "assign")


class BackendError(Exception):
    """The backend refused or failed; the message is fit to show."""


class SessionExpired(BackendError):
    """The access token is no longer accepted: the user must sign in again."""


class NotAvailable(BackendError):
    """The backend does not offer this feature (yet), or the caller may not use it."""


def records(payload: Any, *keys: str) -> list[dict]:
    """A list of objects from a bare list, a paged envelope ({items: [...]}) or a FHIR Bundle."""
    if isinstance(payload, list):
        return [r for r in payload if isinstance(r, dict)]
    if not isinstance(payload, dict):
        return []
    if payload.get("resourceType") == "Bundle":
        return [e["resource"] for e in payload.get("entry") or [] if isinstance(e.get("resource"), dict)]
    for key in (*keys, "items", "data", "results"):
        if isinstance(payload.get(key), list):
            return records(payload[key])
    return []


class BackendClient:
    def __init__(
        self,
        token: str | None = None,
        refresh_token: str | None = None,
        *,
        base_url: str | None = None,
        on_tokens: Callable[[str, str | None], None] | None = None,
    ) -> None:
        settings = get_settings()
        self.base_url = (base_url or settings.backend_url).rstrip("/")
        self.token = token
        self.refresh_token = refresh_token
        self.timeout = settings.backend_timeout_s
        self.on_tokens = on_tokens

    def _request(self, method: str, path: str, **kwargs) -> Any:
        try:
            return self._send(method, path, **kwargs)
        except SessionExpired:
            # Access tokens are short-lived; a refresh token renews the session once.
            if not self.refresh_token or path.startswith("/auth/"):
                raise
            self._refresh()
            return self._send(method, path, **kwargs)

    def _refresh(self) -> None:
        answer = self._send("POST", "/auth/refresh", json={"refresh_token": self.refresh_token})
        self.token = (answer or {}).get("access_token")
        self.refresh_token = (answer or {}).get("refresh_token") or self.refresh_token
        if not self.token:
            raise SessionExpired("Your session has expired: please sign in again.")
        if self.on_tokens:
            self.on_tokens(self.token, self.refresh_token)

    def _send(self, method: str, path: str, **kwargs) -> Any:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = _http(self.base_url, self.timeout).request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise BackendError(
                f"The platform backend at {self.base_url} is not reachable: try again shortly "
                "or ask your administrator to check it is running."
            ) from exc
        if response.status_code == 401:
            raise SessionExpired("Your session has expired: please sign in again.")
        if response.status_code == 403:
            raise NotAvailable("Your account is not allowed to do this.")
        if response.status_code in (404, 405, 501) and path.startswith(self._optional):
            raise NotAvailable("This feature is not available on this platform yet.")
        if response.status_code == 404 and path.endswith("/$summary"):
            raise NotAvailable("No patient summary is available for this patient yet.")
        if response.status_code == 429:
            raise BackendError("Too many attempts: wait a few minutes, then try again.")
        if response.status_code >= 400:
            raise BackendError(f"The backend refused the request ({response.status_code}): "
                               f"{_detail(response)}")  # fmt: skip
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise BackendError("The backend sent an unreadable answer: try again.") from exc

    # Routes owned by modules that may not be deployed: a 404 there means "not offered".
    _optional = ("/telehealth", "/fhir/Communication", "/clinician/alerts/actions")

    # -- accounts --------------------------------------------------------------------------------

    def sign_in(self, email: str, password: str) -> str:
        try:
            answer = self._request(
                "POST", "/auth/token", data={"username": email, "password": password}
            )
        except SessionExpired as exc:
            raise BackendError("Email or password not recognised.") from exc
        token = (answer or {}).get("access_token")
        if not token:
            raise BackendError("The backend did not issue a session: try again.")
        self.token, self.refresh_token = token, (answer or {}).get("refresh_token")
        return token

    def me(self) -> dict:
        return self._request("GET", "/auth/me") or {}

    # -- clinician -------------------------------------------------------------------------------

    def care_team_patients(self) -> list[dict]:
        return records(self._request("GET", "/clinician/patients"), "patients")

    def realtime_alerts(self) -> list[dict]:
        return records(self._request("GET", "/clinician/alerts"), "alerts")

    def alert_actions(self, patient_id: str) -> list[dict]:
        """The alert-review records (FHIR Tasks) of one patient."""
        answer = self._request("GET", "/clinician/alerts/actions", params={"patient_id": patient_id})
        return records(answer, "actions")

    def alert_actions_of(self, patient_ids: list[str]) -> list[dict]:
        """The review records of several patients, fetched concurrently (the API is per patient)."""
        with ThreadPoolExecutor(max_workers=8) as pool:
            return [task for tasks in pool.map(self.alert_actions, patient_ids) for task in tasks]

    def record_action(
        self, alert_id: str, *, patient_id: str, action: str, note: str, assignee: int | None = None
    ) -> dict:
        if action not in ACTIONS:
            raise BackendError(f"Unknown action {action!r}: choose one of {', '.join(ACTIONS)}.")
        body = {"patient_id": patient_id, "action": action, "note": note}
        if assignee:
            body["assignee"] = assignee
        return self._request("POST", f"/clinician/alerts/{alert_id}/actions", json=body) or {}

    def patient_summary(self, patient_id: str) -> dict:
        return self._request("GET", f"/fhir/Patient/{patient_id}/$summary") or {}

    # -- telehealth messaging (optional module) ------------------------------------------------

    def threads(self, patient_id: str) -> list[dict]:
        """The patient's conversation threads with the care team, most recent first."""
        answer = self._request("GET", "/telehealth/threads", params={"patient_id": patient_id})
        threads = records(answer, "threads")
        return sorted(threads, key=lambda t: str(t.get("last_message_at") or ""), reverse=True)

    def thread_messages(self, thread_id: str, limit: int = 50) -> list[dict]:
        answer = self._request("GET", f"/telehealth/threads/{thread_id}/messages", params={"limit": limit})
        return records(answer, "messages")

    def reply(self, thread_id: str, text: str) -> dict:
        return self._request("POST", f"/telehealth/threads/{thread_id}/messages", json={"body": text}) or {}

    def start_thread(self, patient_id: str, subject: str, text: str) -> dict:
        body = {"patient_id": patient_id, "subject": subject, "body": text}
        return self._request("POST", "/telehealth/threads", json=body) or {}


@lru_cache(maxsize=8)
def _http(base_url: str, timeout: float) -> httpx.Client:
    """One pooled, thread-safe HTTP client per backend: connections are reused across requests
    and sessions; credentials travel per request, never in the shared client."""
    return httpx.Client(base_url=base_url, timeout=timeout)


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str) and len(detail) < 200:
        return detail
    return "check the input and try again."
