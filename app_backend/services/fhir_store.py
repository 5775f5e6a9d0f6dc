"""The FHIR resource store: create, read, update and search, with server-assigned ids and
versions. Any module may keep its FHIR resources here; `$export` serves them all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, Text, bindparam, cast, func, or_, select
from sqlalchemy.orm import Session

from app_backend.db import utcnow
from app_backend.fhir.indexing import code_tokens, effective_time, patient_of
from app_backend.models import FhirResource
from app_backend.models.core import new_id

DATA_SOURCE_SYSTEM = "http://survivorship-platform.org/fhir/CodeSystem/data-source"


def _stamp(resource: dict, resource_id: str, version: int, when: datetime, source: str) -> dict:
    meta = dict(resource.get("meta") or {})
    meta["versionId"] = str(version)
    meta["lastUpdated"] = when.isoformat()
    tags = [t for t in meta.get("tag", []) if t.get("system") != DATA_SOURCE_SYSTEM]
    tags.append({"system": DATA_SOURCE_SYSTEM, "code": source})
    meta["tag"] = tags
    return {**resource, "id": resource_id, "meta": meta}


def create(
    session: Session, resource: dict, *, source: str, user_id: int | None, resource_id: str | None = None
) -> FhirResource:
    """Store a validated resource under a new server id (the client's id is not kept)."""
    now = utcnow()
    rid = resource_id or new_id()
    stamped = _stamp(resource, rid, 1, now, source)
    row = FhirResource(
        id=rid,
        resource_type=stamped["resourceType"],
        patient_id=patient_of(stamped),
        codes=code_tokens(stamped),
        effective=effective_time(stamped),
        version_id=1,
        last_updated=now,
        source=source,
        created_by=user_id,
        resource=stamped,
    )
    session.add(row)
    session.flush()
    return row


def update(session: Session, row: FhirResource, resource: dict, *, source: str) -> FhirResource:
    now = utcnow()
    row.version_id += 1
    stamped = _stamp(resource, row.id, row.version_id, now, source)
    row.resource = stamped
    row.patient_id = patient_of(stamped)
    row.codes = code_tokens(stamped)
    row.effective = effective_time(stamped)
    row.last_updated = now
    session.flush()
    return row


def read(session: Session, resource_type: str, resource_id: str) -> FhirResource | None:
    row = session.get(FhirResource, resource_id)
    return row if row is not None and row.resource_type == resource_type else None


# The stored JSON as text, as it is: a read answers it without parsing and re-serialising it.
RAW_COLUMNS = (FhirResource.patient_id, FhirResource.version_id, FhirResource.last_updated,
               cast(FhirResource.resource, Text).label("body"))
_READ_RAW = select(*RAW_COLUMNS).where(FhirResource.id == bindparam("id"), FhirResource.resource_type == bindparam("type"))


def read_raw(session: Session, resource_type: str, resource_id: str):
    """One resource as a row (patient_id, version_id, last_updated, body: its JSON text), or None.
    Run on the session's connection (same transaction), skipping the ORM execution layer."""
    return session.connection().execute(_READ_RAW, {"id": resource_id, "type": resource_type}).first()


@dataclass
class SearchQuery:
    resource_type: str
    patient_ids: list[str] | None = None  # None: any patient (service use only)
    codes: list[str] | None = None  # tokens: "system|code", "|code" or "code"
    date_from: datetime | None = None
    date_from_inclusive: bool = True
    date_to: datetime | None = None
    date_to_inclusive: bool = True
    since: datetime | None = None
    offset: int = 0
    count: int = 50


def _token_clause(token: str):
    if "|" in token:
        return FhirResource.codes.contains(f" {token} ", autoescape=True)
    return FhirResource.codes.contains(f"|{token} ", autoescape=True)


def _filtered(query: SearchQuery) -> Select:
    stmt = select(FhirResource).where(FhirResource.resource_type == query.resource_type)
    if query.patient_ids is not None:
        stmt = stmt.where(FhirResource.patient_id.in_(query.patient_ids))
    if query.codes:
        stmt = stmt.where(or_(*(_token_clause(t) for t in query.codes)))
    if query.date_from is not None:
        op = FhirResource.effective.__ge__ if query.date_from_inclusive else FhirResource.effective.__gt__
        stmt = stmt.where(op(query.date_from))
    if query.date_to is not None:
        op = FhirResource.effective.__le__ if query.date_to_inclusive else FhirResource.effective.__lt__
        stmt = stmt.where(op(query.date_to))
    if query.since is not None:
        stmt = stmt.where(FhirResource.last_updated >= query.since)
    return stmt


def search_raw(session: Session, query: SearchQuery) -> tuple[list, int]:
    """As search(), with rows (id, resource_type, patient_id, body: the stored JSON text) instead
    of ORM objects, for pages sent as they are stored. One statement: the page carries the total
    (a window count), which is counted apart only for a page past the last match."""
    if query.patient_ids == []:
        return [], 0
    stmt = _ordered(query).with_only_columns(
        FhirResource.id, FhirResource.resource_type, FhirResource.patient_id,
        cast(FhirResource.resource, Text).label("body"), func.count().over().label("total"))
    rows = list(session.connection().execute(stmt))
    if rows:
        return rows, rows[0].total
    return rows, _total(session, query) if query.offset else 0


def search(session: Session, query: SearchQuery) -> tuple[list[FhirResource], int]:
    """One page of matches (newest first) and the total number of matches."""
    if query.patient_ids == []:
        return [], 0
    page, total = _page(session, query)
    return list(session.scalars(page)), total


def _page(session: Session, query: SearchQuery) -> tuple[Select, int]:
    """The statement of one page of matches (newest first), and the total number of matches."""
    return _ordered(query), _total(session, query)


def _ordered(query: SearchQuery) -> Select:
    return (_filtered(query).order_by(FhirResource.last_updated.desc(), FhirResource.id)
            .offset(query.offset).limit(query.count))


def _total(session: Session, query: SearchQuery) -> int:
    return session.scalar(select(func.count()).select_from(_filtered(query).subquery())) or 0
