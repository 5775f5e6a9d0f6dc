"""Pull the backend's FHIR Bulk Data `$export` into the landing zone, incrementally.

Each pull asks for what changed since the watermark (`_since`) and lands it in its own folder,
named by the caller (the Airflow data interval), so a re-run of the same interval reuses what was
already downloaded instead of asking again. The watermark only moves once the files are loaded.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import httpx

from ingestion.errors import IngestionError

MARKER = ".export.json"  # hidden: the landing scan never mistakes it for data


def backend_url() -> str:
    return os.environ.get("BACKEND_URL", "http://127.0.0.1:8000").rstrip("/")


def backend_token(base: str | None = None) -> str:
    """BACKEND_EXPORT_TOKEN, else a fresh token for BACKEND_EXPORT_USER / BACKEND_EXPORT_PASSWORD."""
    if token := os.environ.get("BACKEND_EXPORT_TOKEN"):
        return token
    user, password = (
        os.environ.get("BACKEND_EXPORT_USER"),
        os.environ.get("BACKEND_EXPORT_PASSWORD"),
    )
    if not (user and password):
        raise IngestionError(
            "no backend credentials: set BACKEND_EXPORT_TOKEN, or BACKEND_EXPORT_USER and BACKEND_EXPORT_PASSWORD"
        )
    response = httpx.post(
        f"{base or backend_url()}/auth/token", data={"username": user, "password": password}
    )
    if response.status_code != 200:
        raise IngestionError(
            f"backend refused the export account ({response.status_code}): check BACKEND_EXPORT_USER"
        )
    return response.json()["access_token"]


def pull(
    out_dir: Path, since: str | None, types: list[str] | None = None, base: str | None = None
) -> dict:
    """Download the export into out_dir (once); return {since, transaction_time, files}."""
    out_dir = Path(out_dir)
    marker = out_dir / MARKER
    if marker.is_file():
        return json.loads(marker.read_text())
    from ingestion.bulk_client import pull_export

    base = base or backend_url()
    requested_at = datetime.now(UTC).isoformat()
    out_dir.mkdir(parents=True, exist_ok=True)
    result = pull_export(f"{base}/fhir", backend_token(base), since, types, out_dir)
    record = {
        "since": since,
        # The server's transactionTime is the correct next `_since`; the kick-off time is a safe
        # fallback (a little overlap is harmless: loading is idempotent).
        "transaction_time": _transaction_time(result) or requested_at,
        "files": sorted(p.name for p in out_dir.iterdir() if not p.name.startswith(".")),
    }
    tmp = out_dir / f"{MARKER}.tmp"
    tmp.write_text(json.dumps(record))
    os.replace(tmp, marker)
    return record


def later(a: str | None, b: str | None) -> str | None:
    """The later of two ISO 8601 instants (either may be None), as given."""
    if not (a and b):
        return a or b
    return a if datetime.fromisoformat(a) >= datetime.fromisoformat(b) else b


def _transaction_time(result) -> str | None:
    if isinstance(result, dict):
        return result.get("transactionTime") or result.get("transaction_time")
    return getattr(result, "transaction_time", None) or getattr(result, "transactionTime", None)


def send_reminders(base: str | None = None) -> dict:
    """Ask the backend to send due teleconsultation reminders (its service account's job)."""
    base = base or backend_url()
    response = httpx.post(
        f"{base}/telehealth/appointments/reminders/run",
        headers={"Authorization": f"Bearer {backend_token(base)}"},
        timeout=60,
    )
    if response.status_code != 200:
        raise IngestionError(
            f"backend refused to send reminders ({response.status_code}): the account in "
            "BACKEND_EXPORT_USER needs the service role"
        )
    return {"reminded": len(response.json()["reminded"])}
