"""The library in the database: curation, browsing, preferences, interactions, erasure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from app_backend.db import utcnow
from app_backend.models.library import LibraryInteraction, LibraryPreference, LibraryResource
from app_backend.services.library.behaviour import KINDS, Interaction
from app_backend.services.library.catalogue import (
    CatalogueError,
    Resource,
    resource_from_dict,
    resource_to_dict,
)

# The behaviour model is fitted on the most recent interactions only: bounded work per request.
MAX_INTERACTIONS_FITTED = 50_000


class LibraryError(Exception):
    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def to_resource(row: LibraryResource) -> Resource:
    return Resource(
        id=row.id, title=row.title, format=row.format, language=row.language,
        topics=tuple(row.topics or ()), cancer_types=tuple(row.cancer_types or ()),
        phases=tuple(row.phases or ()), audience=tuple(row.audience or ()), summary=row.summary or "",
        url=row.url or "", validated_by=row.validated_by, validated_on=row.validated_on,
        next_review=row.next_review,
    )


def resource_out(row: LibraryResource, today: date) -> dict:
    item = to_resource(row)
    return {**resource_to_dict(item), "status": row.status, "recommendable": item.is_recommendable(today)}


def _checked(raw: dict) -> Resource:
    try:
        return resource_from_dict(raw)
    except CatalogueError as exc:
        raise LibraryError(422, str(exc)) from exc


def _apply(session: Session, row: LibraryResource | None, item: Resource, user_id: int | None) -> LibraryResource:
    if row is None:
        row = LibraryResource(id=item.id, created_by=user_id, created_at=utcnow())
        session.add(row)
    values = resource_to_dict(item)
    for name in ("title", "summary", "url", "format", "language", "topics", "cancer_types",
                 "phases", "audience", "validated_by"):
        setattr(row, name, values[name])
    row.validated_on, row.next_review = item.validated_on, item.next_review
    row.status = "active"
    row.updated_by, row.updated_at = user_id, utcnow()
    return row


def save_resource(session: Session, raw: dict, user_id: int | None) -> LibraryResource:
    """Create or replace one item (editors and admins); the whole item is checked first."""
    item = _checked(raw)
    row = _apply(session, session.get(LibraryResource, item.id), item, user_id)
    session.flush()
    return row


def retire_resource(session: Session, resource_id: str, user_id: int) -> LibraryResource:
    row = session.get(LibraryResource, resource_id)
    if row is None:
        raise LibraryError(404, f"resource {resource_id} was not found")
    row.status, row.updated_by, row.updated_at = "retired", user_id, utcnow()
    session.flush()
    return row


def load_catalogue_file(session: Session, path: Path, user_id: int | None = None) -> int:
    """Seed or refresh the catalogue from a JSON list (the synthetic cohort's app/resources.json)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    raws = data.get("resources", data.get("items", [])) if isinstance(data, dict) else data
    items = [_checked(raw) for raw in raws]  # all or nothing: one bad item stops the load
    existing = {r.id: r for r in session.scalars(
        select(LibraryResource).where(LibraryResource.id.in_([i.id for i in items])))}
    for item in items:
        _apply(session, existing.get(item.id), item, user_id)
    session.flush()
    return len(items)


@dataclass(frozen=True)
class CatalogueQuery:
    q: str | None = None
    language: str | None = None
    format: str | None = None
    topic: str | None = None
    cancer_type: str | None = None
    phase: str | None = None
    include_unavailable: bool = False  # editors: expired, unvalidated and retired items too
    limit: int = 20
    offset: int = 0


def search_catalogue(session: Session, query: CatalogueQuery, today: date) -> tuple[list[LibraryResource], int]:
    """Matching items, newest validation first. Readers see only validated, current items."""
    statement = select(LibraryResource)
    if not query.include_unavailable:
        statement = statement.where(
            LibraryResource.status == "active", LibraryResource.validated_by.is_not(None),
            LibraryResource.validated_on.is_not(None), LibraryResource.next_review >= today,
        )
    if query.language:
        statement = statement.where(LibraryResource.language == query.language)
    if query.format:
        statement = statement.where(LibraryResource.format == query.format)
    if query.q:
        pattern = f"%{query.q.lower()}%"
        statement = statement.where(or_(func.lower(LibraryResource.title).like(pattern),
                                        func.lower(LibraryResource.summary).like(pattern)))
    rows = list(session.scalars(statement.order_by(LibraryResource.validated_on.desc(), LibraryResource.id)))
    # List-valued filters in Python: portable across SQLite and PostgreSQL, and catalogues are small.
    if query.topic:
        rows = [r for r in rows if query.topic in (r.topics or ())]
    if query.cancer_type:
        rows = [r for r in rows if not r.cancer_types or query.cancer_type in r.cancer_types]
    if query.phase:
        rows = [r for r in rows if not r.phases or query.phase in r.phases]
    return rows[query.offset: query.offset + query.limit], len(rows)


def get_preferences(session: Session, user_id: int) -> LibraryPreference:
    return session.get(LibraryPreference, user_id) or LibraryPreference(
        user_id=user_id, topics=[], formats=[], languages=[], cancer_type=None, phase=None
    )


def save_preferences(session: Session, user_id: int, **values) -> LibraryPreference:
    row = session.get(LibraryPreference, user_id)
    if row is None:
        row = LibraryPreference(user_id=user_id)
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    session.flush()
    return row


def record_interaction(session: Session, user_id: int, resource_id: str, kind: str,
                       rating: int | None) -> LibraryInteraction:
    if kind not in KINDS:
        raise LibraryError(422, f"kind must be one of {', '.join(KINDS)}")
    if (kind == "rate") != (rating is not None):
        raise LibraryError(422, "send a rating (1-5) with kind 'rate', and only then")
    row = session.get(LibraryResource, resource_id)
    if row is None or row.status != "active":
        raise LibraryError(404, f"resource {resource_id} was not found")
    event = LibraryInteraction(user_id=user_id, resource_id=resource_id, kind=kind, rating=rating, at=utcnow())
    session.add(event)
    session.flush()
    return event


def has_history(session: Session, user_id: int) -> bool:
    return session.scalar(
        select(LibraryInteraction.id).where(LibraryInteraction.user_id == user_id).limit(1)
    ) is not None


_INTERACTION_COLUMNS = (LibraryInteraction.user_id, LibraryInteraction.resource_id, LibraryInteraction.kind,
                        LibraryInteraction.at, LibraryInteraction.rating)


def recent_interactions(session: Session) -> list[Interaction]:
    rows = session.execute(
        select(*_INTERACTION_COLUMNS).order_by(LibraryInteraction.at.desc()).limit(MAX_INTERACTIONS_FITTED))
    return [Interaction(str(u), r, k, at, rating) for u, r, k, at, rating in rows]


def reader_segments(session: Session) -> dict[str, str]:
    """Each reader's peer group for peer popularity: the cancer type they told us."""
    rows = session.execute(select(LibraryPreference.user_id, LibraryPreference.cancer_type)
                           .where(LibraryPreference.cancer_type.is_not(None)))
    return {str(user_id): cancer_type for user_id, cancer_type in rows}


def interactions_of(session: Session, user_id: int) -> list[Interaction]:
    rows = session.execute(select(*_INTERACTION_COLUMNS).where(LibraryInteraction.user_id == user_id)
                           .order_by(LibraryInteraction.at.desc()).limit(MAX_INTERACTIONS_FITTED))
    return [Interaction(str(u), r, k, at, rating) for u, r, k, at, rating in rows]


def active_catalogue(session: Session) -> list[Resource]:
    return [to_resource(r) for r in session.scalars(
        select(LibraryResource).where(LibraryResource.status == "active"))]


def erase_reader_data(session: Session, user_id: int) -> int:
    """Remove a person's library preferences and interactions (erasure). Returns rows removed."""
    removed = session.execute(delete(LibraryInteraction).where(LibraryInteraction.user_id == user_id)).rowcount
    removed += session.execute(delete(LibraryPreference).where(LibraryPreference.user_id == user_id)).rowcount
    session.flush()
    return removed
