"""Parsing FHIR search parameters (date prefixes, token lists) into a store query."""

from __future__ import annotations

from datetime import datetime, timedelta

from app_backend.fhir.indexing import parse_fhir_datetime
from app_backend.fhir.validation import FhirError
from app_backend.services.fhir_store import SearchQuery

PREFIXES = ("eq", "ge", "gt", "le", "lt")
MAX_CODES = 20


def _period_end(value: str, start: datetime) -> datetime:
    """The end (exclusive) of the period a partial date names."""
    if len(value) == 4:
        return start.replace(year=start.year + 1)
    if len(value) == 7:
        return start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    if len(value) == 10:
        return start + timedelta(days=1)
    return start


def apply_date(query: SearchQuery, values: list[str]) -> None:
    for raw in values:
        prefix, value = (raw[:2], raw[2:]) if raw[:2] in PREFIXES else ("eq", raw)
        try:
            start = parse_fhir_datetime(value)
        except (ValueError, OverflowError):
            raise FhirError(422, f"date {raw[:40]!r} is not a FHIR date: use e.g. ge2025-01-31", "invalid") from None
        end = _period_end(value, start)
        if prefix == "eq":
            query.date_from, query.date_to = start, end
            query.date_to_inclusive = end == start
        elif prefix == "ge":
            query.date_from, query.date_from_inclusive = start, True
        elif prefix == "gt":
            query.date_from, query.date_from_inclusive = end, end != start
        elif prefix == "le":
            query.date_to, query.date_to_inclusive = end, end == start
        elif prefix == "lt":
            query.date_to, query.date_to_inclusive = start, False


def parse_codes(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    codes = [c.strip() for c in raw.split(",") if c.strip()]
    if len(codes) > MAX_CODES:
        raise FhirError(422, f"at most {MAX_CODES} codes per search", "too-costly")
    return codes or None
