"""The personalised resource library: browse and search the validated catalogue, curate it
(admins and clinician editors), state preferences, record what was read, and get
recommendations that each say why."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from pydantic import BaseModel, Field, StringConstraints

from app_backend.api.deps import CurrentUser, SessionDep, require_roles
from app_backend.api.schemas import Strict
from app_backend.db import utcnow
from app_backend.models import Role, User
from app_backend.models.library import LibraryResource
from app_backend.services.library import store
from app_backend.services.library.catalogue import AUDIENCES, FORMATS, LANGUAGES, PHASES
from app_backend.services.library.personal import recommendation_out, recommendations_for

router = APIRouter(prefix="/library", tags=["library"])

Word = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40,
                                        pattern=r"^[a-z0-9][a-z0-9-]*$")]
ResourceId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
Format = Literal[FORMATS]  # type: ignore[valid-type]
Language = Literal[LANGUAGES]  # type: ignore[valid-type]
Phase = Literal[PHASES]  # type: ignore[valid-type]
Audience = Literal[AUDIENCES]  # type: ignore[valid-type]

# PostgreSQL text cannot hold NUL; refusing it here keeps such input a 422, never a 500.
NO_NUL = r"^[^\x00]*$"
ReaderUser = Annotated[User, Depends(require_roles(Role.patient, Role.caregiver))]
# Editors: clinicians validate content; admins run the catalogue.
CuratorUser = Annotated[User, Depends(require_roles(Role.admin, Role.clinician))]
CURATORS = {Role.admin.value, Role.clinician.value}


class ResourceIn(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=NO_NUL)]
    format: Format
    language: Language
    topics: Annotated[list[Word], Field(min_length=1, max_length=12)]
    cancer_types: Annotated[list[Word], Field(max_length=12, default_factory=list)]
    phases: Annotated[list[Phase], Field(max_length=len(PHASES), default_factory=list)]
    audience: Annotated[list[Audience], Field(min_length=1, max_length=3, default_factory=lambda: ["patient"])]
    summary: Annotated[str, Field(max_length=2000, pattern=NO_NUL)] = ""
    url: Annotated[str, Field(max_length=500, pattern=r"^(https://\S*)?$")] = ""
    validated_by: Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)] | None = None
    validated_on: date | None = None
    next_review: date | None = None


class ResourceCreate(ResourceIn):
    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


class ResourceOut(BaseModel):
    id: str
    title: str
    format: str
    language: str
    topics: list[str]
    cancer_types: list[str]
    phases: list[str]
    audience: list[str]
    summary: str
    url: str
    validated_by: str | None
    validated_on: str | None
    next_review: str | None
    status: str
    recommendable: bool


class ResourcePage(BaseModel):
    total: int
    items: list[ResourceOut]


class PreferencesIn(Strict):
    topics: Annotated[list[Word], Field(max_length=20, default_factory=list)]
    formats: Annotated[list[Format], Field(max_length=len(FORMATS), default_factory=list)]
    languages: Annotated[list[Language], Field(max_length=len(LANGUAGES), default_factory=list)]
    cancer_type: Word | None = None
    phase: Phase | None = None


class PreferencesOut(PreferencesIn):
    pass


class InteractionIn(Strict):
    resource_id: Annotated[str, Field(min_length=1, max_length=64)]
    kind: Literal["view", "complete", "rate", "save", "dismiss"]
    rating: Annotated[int, Field(ge=1, le=5)] | None = None


class ReasonOut(BaseModel):
    code: str
    text: str


class RecommendationOut(BaseModel):
    resource: dict
    score: float
    reasons: list[ReasonOut]


class RecommendationsOut(BaseModel):
    items: list[RecommendationOut]
    needs: list[str]  # topics the latest PROM answers point to
    cold_start: bool


def _fail(exc: store.LibraryError):
    raise HTTPException(exc.status_code, exc.message) from exc


@router.get("/resources", response_model=ResourcePage)
def list_resources(
    user: CurrentUser,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    language: Language | None = None,
    format: Format | None = None,
    topic: Annotated[str | None, Query(max_length=40, pattern=NO_NUL)] = None,
    cancer_type: Annotated[str | None, Query(max_length=40, pattern=NO_NUL)] = None,
    phase: Phase | None = None,
    include_unavailable: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
):
    """Search and filter the catalogue. Only editors may ask for expired, unvalidated or retired items."""
    if include_unavailable and user.role not in CURATORS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only editors may list unavailable resources")
    today = utcnow().date()
    query = store.CatalogueQuery(q=q, language=language, format=format, topic=topic, cancer_type=cancer_type,
                                 phase=phase, include_unavailable=include_unavailable, limit=limit, offset=offset)
    rows, total = store.search_catalogue(session, query, today)
    return {"total": total, "items": [store.resource_out(r, today) for r in rows]}


@router.get("/resources/{resource_id}", response_model=ResourceOut)
def read_resource(resource_id: ResourceId, user: CurrentUser, session: SessionDep):
    row = session.get(LibraryResource, resource_id)
    today = utcnow().date()
    visible = row is not None and (user.role in CURATORS or (
        row.status == "active" and store.to_resource(row).is_recommendable(today)))
    if not visible:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"resource {resource_id} was not found")
    return store.resource_out(row, today)


@router.post("/resources", response_model=ResourceOut, status_code=status.HTTP_201_CREATED)
def create_resource(body: ResourceCreate, curator: CuratorUser, session: SessionDep):
    if session.get(LibraryResource, body.id) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"resource {body.id} exists: PUT to change it")
    try:
        row = store.save_resource(session, body.model_dump(mode="json"), curator.id)
    except store.LibraryError as exc:
        _fail(exc)
    session.commit()
    return store.resource_out(row, utcnow().date())


@router.put("/resources/{resource_id}", response_model=ResourceOut)
def replace_resource(resource_id: ResourceId, body: ResourceIn, curator: CuratorUser, session: SessionDep):
    """Create or replace an item, e.g. to re-validate it (new validated_on and next_review)."""
    try:
        row = store.save_resource(session, {**body.model_dump(mode="json"), "id": resource_id}, curator.id)
    except store.LibraryError as exc:
        _fail(exc)
    session.commit()
    return store.resource_out(row, utcnow().date())


@router.delete("/resources/{resource_id}", response_model=ResourceOut)
def retire_resource(resource_id: ResourceId, curator: CuratorUser, session: SessionDep):
    """Retire an item: it is no longer listed or recommended (history stays consistent)."""
    try:
        row = store.retire_resource(session, resource_id, curator.id)
    except store.LibraryError as exc:
        _fail(exc)
    session.commit()
    return store.resource_out(row, utcnow().date())


def _preferences_out(row) -> dict:
    return {"topics": row.topics or [], "formats": row.formats or [], "languages": row.languages or [],
            "cancer_type": row.cancer_type, "phase": row.phase}


@router.get("/preferences", response_model=PreferencesOut)
def read_preferences(reader: ReaderUser, session: SessionDep):
    return _preferences_out(store.get_preferences(session, reader.id))


@router.put("/preferences", response_model=PreferencesOut)
def save_preferences(body: PreferencesIn, reader: ReaderUser, session: SessionDep):
    values = body.model_dump()
    values = {k: (list(dict.fromkeys(v)) if isinstance(v, list) else v) for k, v in values.items()}
    row = store.save_preferences(session, reader.id, **values)
    session.commit()
    return _preferences_out(row)


@router.post("/interactions", status_code=status.HTTP_201_CREATED)
def record_interaction(body: InteractionIn, reader: ReaderUser, session: SessionDep) -> dict:
    """Record that the reader viewed, completed, rated, saved or dismissed a resource."""
    try:
        event = store.record_interaction(session, reader.id, body.resource_id, body.kind, body.rating)
    except store.LibraryError as exc:
        _fail(exc)
    session.commit()
    return {"id": event.id, "resource_id": event.resource_id, "kind": event.kind, "rating": event.rating,
            "at": event.at.isoformat()}


@router.get("/recommendations", response_model=RecommendationsOut)
def recommendations(
    request: Request,
    reader: ReaderUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
):
    """Resources for the caller, each with the reasons it was chosen."""
    today = utcnow().date()
    profile, items = recommendations_for(
        session, reader, request.app.state.settings.catalogue_dir, today, limit
    )
    cold = not (profile.needs or profile.preferred_topics or profile.preferred_formats
                or store.has_history(session, reader.id))
    return {"items": [recommendation_out(i) for i in items], "needs": [n.topic for n in profile.needs],
            "cold_start": cold}
