"""A FHIR Bulk Data ($export) client: kick off, poll, download, and hand back the watermark.

    result = pull_export("https://fhir.example.org/fhir", token=..., since=last_watermark,
                         types=["Patient", "Observation"], out_dir="data/landing/bulk/<run>")
    load_paths([result.manifest_path])   # then keep result.transaction_time as the next `since`

The files land in `out_dir` with a `manifest.json` whose `url`s are rewritten to the local file
names (the server's URL is kept as `sourceUrl`), so `python -m ingestion load out_dir` loads them
through the manifest with their declared types. Files are written under a temporary name and
renamed when complete: a dead download never looks like data.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import httpx

from ingestion.errors import IngestionError

FHIR_JSON = "application/fhir+json"
MAX_WAIT_BETWEEN_POLLS = 120.0


class BulkExportError(IngestionError):
    """The export could not be completed; the message says which step failed and why."""


@dataclass
class ExportResult:
    transaction_time: str  # the next run's `_since` watermark
    manifest_path: Path
    files: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # resource type -> resources downloaded


def _problem(response: httpx.Response) -> str:
    """The server's own explanation (OperationOutcome diagnostics) when it sent one."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip() or response.reason_phrase
    issues = body.get("issue") if isinstance(body, dict) else None
    if issues:
        return "; ".join(str(i.get("diagnostics") or i.get("details", {}).get("text") or i.get("code"))
                         for i in issues[:3])
    return json.dumps(body)[:200]


def _retry_after(response: httpx.Response, default: float) -> float:
    value = response.headers.get("Retry-After")
    if not value:
        return default
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return default


def _check(response: httpx.Response, step: str) -> None:
    if response.status_code >= 400:
        hint = " (check the token)" if response.status_code in (401, 403) else ""
        raise BulkExportError(f"{step} failed: HTTP {response.status_code}{hint}: {_problem(response)}")


def _since_param(since) -> str:
    return since.isoformat() if isinstance(since, datetime) else str(since)


def kick_off(client: httpx.Client, base_url: str, since=None, types=None, level: str = "system",
             auth: dict | None = None) -> str:
    """Start the export; answers the status URL to poll."""
    path = {"system": "$export", "patient": "Patient/$export"}[level]
    params = {}
    if since:
        params["_since"] = _since_param(since)
    if types:
        params["_type"] = ",".join(types)
    response = client.get(f"{base_url.rstrip('/')}/{path}", params=params,
                          headers={"Accept": FHIR_JSON, "Prefer": "respond-async", **(auth or {})})
    _check(response, "$export kick-off")
    location = response.headers.get("Content-Location")
    if response.status_code != 202 or not location:
        raise BulkExportError(f"$export kick-off answered HTTP {response.status_code} without a "
                              f"Content-Location to poll; is this a FHIR Bulk Data server?")
    return location


def wait_for_manifest(client: httpx.Client, status_url: str, poll_interval: float, timeout: float,
                      auth: dict | None = None) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(status_url, headers={"Accept": "application/json", **(auth or {})})
        if response.status_code == 200:
            try:
                manifest = response.json()
            except ValueError:
                raise BulkExportError("the export manifest is not JSON") from None
            if not isinstance(manifest, dict) or "transactionTime" not in manifest:
                raise BulkExportError("the export manifest has no transactionTime")
            return manifest
        if response.status_code not in (202, 429):
            _check(response, "polling the export status")
            raise BulkExportError(f"polling the export status answered HTTP {response.status_code}")
        wait = min(_retry_after(response, poll_interval), MAX_WAIT_BETWEEN_POLLS)
        if time.monotonic() + wait > deadline:
            raise BulkExportError(f"the export was not ready within {timeout:.0f}s; raise the timeout "
                                  f"or poll {status_url} later")
        time.sleep(wait)


def _local_name(index: int, resource_type: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9]", "", resource_type or "") or "Resource"
    return f"{index:03d}-{safe}.ndjson"


def _download(client: httpx.Client, url: str, target: Path, headers: dict) -> int:
    partial = target.with_name(target.name + ".part")
    lines = 0
    with client.stream("GET", url, headers=headers) as response:
        _check(response, f"downloading {url}")
        with open(partial, "wb") as out:
            for chunk in response.iter_bytes(1 << 20):
                out.write(chunk)
                lines += chunk.count(b"\n")
    os.replace(partial, target)
    return lines


def pull_export(base_url: str, token: str | None = None, since=None, types=None,
                out_dir: str | os.PathLike = "data/landing/bulk", poll_interval: float = 2.0,
                timeout: float = 3600.0, level: str = "system", client: httpx.Client | None = None
                ) -> ExportResult:
    """Run one Bulk Data export end to end; see the module docstring."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    own_client = client is None
    client = client or httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0), follow_redirects=False)
    try:
        status_url = kick_off(client, base_url, since, types, level, auth)
        manifest = wait_for_manifest(client, status_url, poll_interval, timeout, auth)
        origin = urlparse(base_url).netloc
        result = ExportResult(transaction_time=str(manifest["transactionTime"]),
                              manifest_path=out / "manifest.json")
        local_manifest = dict(manifest, output=[])
        for index, entry in enumerate(manifest.get("output") or [], start=1):
            url, rtype = entry.get("url"), entry.get("type", "Resource")
            if not url:
                raise BulkExportError(f"manifest output {index} has no url")
            # The token goes only where the manifest asks for it and only to the server's own host.
            needs_token = manifest.get("requiresAccessToken", True) and urlparse(url).netloc == origin
            headers = {"Accept": "application/fhir+ndjson", **(auth if needs_token else {})}
            target = out / _local_name(index, rtype)
            result.counts[rtype] = result.counts.get(rtype, 0) + _download(client, url, target, headers)
            result.files.append(target)
            local_manifest["output"].append(dict(entry, url=target.name, sourceUrl=url))
        partial = result.manifest_path.with_suffix(".json.part")
        partial.write_text(json.dumps(local_manifest, indent=2), encoding="utf-8")
        os.replace(partial, result.manifest_path)
        return result
    except httpx.TimeoutException as exc:
        raise BulkExportError(f"the FHIR server at {base_url} did not answer in time ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        raise BulkExportError(f"cannot reach the FHIR server at {base_url}: {exc}") from None
    finally:
        if own_client:
            client.close()
