"""FHIR Bundles: search results with paging links, and resource references."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi import Request

from app_backend.db import utcnow


def aware(value: datetime | None) -> datetime | None:
    """Query datetimes without an offset are read as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def base_url(request: Request) -> str:
    configured = request.app.state.settings.public_base_url
    return configured or str(request.base_url).rstrip("/")


def full_url(request: Request, resource: dict) -> str:
    return f"{base_url(request)}/fhir/{resource['resourceType']}/{resource['id']}"


def searchset(
    request: Request,
    resources: list[dict],
    *,
    offset: int,
    count: int,
    total: int | None = None,
    has_more: bool | None = None,
) -> dict:
    more = has_more if has_more is not None else (total is not None and offset + count < total)
    links = [{"relation": "self", "url": str(request.url)}]
    if more:
        links.append({
            "relation": "next",
            "url": str(request.url.include_query_params(_offset=offset + count, _count=count)),
        })
    if offset > 0:
        links.append({
            "relation": "previous",
            "url": str(request.url.include_query_params(_offset=max(0, offset - count), _count=count)),
        })
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": utcnow().isoformat(),
        "link": links,
        "entry": [
            {"fullUrl": full_url(request, r), "resource": r, "search": {"mode": "match"}}
            for r in resources
        ],
    }
    if total is not None:
        bundle["total"] = total
    return bundle


def searchset_text(request: Request, rows, *, offset: int, count: int, total: int) -> str:
    """The Bundle searchset() makes, as JSON text with each match's stored JSON text spliced in
    as it is (rows: id, resource_type, body), so a search page parses and re-dumps nothing."""
    base = base_url(request)
    entries = ",".join(
        '{"fullUrl":' + json.dumps(f"{base}/fhir/{row.resource_type}/{row.id}")
        + ',"resource":' + row.body + ',"search":{"mode":"match"}}'
        for row in rows
    )
    text = json.dumps(searchset(request, [], offset=offset, count=count, total=total),
                      separators=(",", ":"), ensure_ascii=False)  # fmt: skip
    # The only unescaped `"entry":[]` in the text is the key itself (strings escape their quotes).
    return text.replace('"entry":[]', '"entry":[' + entries + "]", 1)
