"""The resource catalogue as plain values: what an item is, and which items may be recommended.

An item reaches a survivor only while its validation holds: someone named validated it on a date,
and its next review date has not passed. Expired or unvalidated items stay in the catalogue (so
editors can re-validate them) but are never recommended.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

FORMATS = ("article", "video", "podcast", "guideline", "course", "news")
AUDIENCES = ("patient", "caregiver", "clinician")
# Where a survivor is on the path; an item with no phases suits every phase.
PHASES = ("newly-diagnosed", "in-treatment", "post-treatment", "long-term", "advanced")
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pl", "pt")
MAX_TOPICS = 12
MAX_TITLE = 300


class CatalogueError(ValueError):
    """An item is malformed; the message names the field and what is allowed."""


@dataclass(frozen=True)
class Resource:
    id: str
    title: str
    format: str
    language: str
    topics: tuple[str, ...]
    cancer_types: tuple[str, ...] = ()  # empty: relevant to every cancer type
    phases: tuple[str, ...] = ()  # empty: relevant to every phase
    audience: tuple[str, ...] = ("patient",)
    summary: str = ""
    url: str = ""
    validated_by: str | None = None
    validated_on: date | None = None
    next_review: date | None = None
    extra: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)

    def is_validated(self) -> bool:
        return bool(self.validated_by) and self.validated_on is not None

    def is_current(self, today: date) -> bool:
        return self.next_review is not None and self.next_review >= today

    def is_recommendable(self, today: date) -> bool:
        return self.is_validated() and self.is_current(today)


def recommendable(items: Iterable[Resource], today: date) -> list[Resource]:
    return [item for item in items if item.is_recommendable(today)]


def _as_date(value: object, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise CatalogueError(f"{name} must be a date (YYYY-MM-DD), got {value!r}") from exc


def _as_tuple(value: object, name: str) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").split(",")]
    if not isinstance(value, list | tuple):
        raise CatalogueError(f"{name} must be a list of strings")
    return tuple(dict.fromkeys(str(v).strip().lower() for v in value if str(v).strip()))


def _first(raw: Mapping, *names: str) -> object:
    for name in names:
        if raw.get(name) not in (None, ""):
            return raw[name]
    return None


def resource_from_dict(raw: Mapping) -> Resource:
    """One catalogue item from JSON (the synthetic catalogue or an editor's request), checked."""
    validation = raw.get("validation") if isinstance(raw.get("validation"), Mapping) else {}
    item_id = str(_first(raw, "id", "resource_id") or "").strip()
    title = str(raw.get("title") or "").strip()
    fmt = str(_first(raw, "format", "type", "kind") or "").strip().lower()
    language = str(_first(raw, "language", "lang") or "").strip().lower()[:2]
    if not item_id or len(item_id) > 64:
        raise CatalogueError("id is required (at most 64 characters)")
    if not title or len(title) > MAX_TITLE:
        raise CatalogueError(f"title is required (at most {MAX_TITLE} characters)")
    if fmt not in FORMATS:
        raise CatalogueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if language not in LANGUAGES:
        raise CatalogueError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    topics = _as_tuple(raw.get("topics"), "topics")
    if not topics or len(topics) > MAX_TOPICS:
        raise CatalogueError(f"topics must list 1 to {MAX_TOPICS} topics")
    phases = _as_tuple(_first(raw, "phases", "treatment_phases", "treatment_phase"), "phases")
    unknown_phases = set(phases) - set(PHASES)
    if unknown_phases:
        raise CatalogueError(f"phases must be among {', '.join(PHASES)}: not {sorted(unknown_phases)}")
    audience = _as_tuple(_first(raw, "audience", "audiences"), "audience") or ("patient",)
    if set(audience) - set(AUDIENCES):
        raise CatalogueError(f"audience must be among {', '.join(AUDIENCES)}")
    known = {
        "id", "resource_id", "title", "format", "type", "kind", "language", "lang", "topics",
        "cancer_types", "phases", "treatment_phases", "treatment_phase", "audience", "audiences",
        "summary", "url", "validated_by", "validated_on", "next_review", "validation",
    }
    return Resource(
        id=item_id,
        title=title,
        format=fmt,
        language=language,
        topics=topics,
        cancer_types=_as_tuple(raw.get("cancer_types"), "cancer_types"),
        phases=phases,
        audience=audience,
        summary=str(raw.get("summary") or "")[:2000],
        url=str(raw.get("url") or "")[:500],
        validated_by=(str(_first(raw, "validated_by") or validation.get("validated_by") or "")
                      .strip()[:200] or None),
        validated_on=_as_date(_first(raw, "validated_on") or validation.get("validated_on"),
                              "validated_on"),
        next_review=_as_date(_first(raw, "next_review") or validation.get("next_review"),
                             "next_review"),
        extra={k: v for k, v in raw.items() if k not in known},
    )


def resource_to_dict(item: Resource) -> dict:
    return {
        "id": item.id,
        "title": item.title,
        "format": item.format,
        "language": item.language,
        "topics": list(item.topics),
        "cancer_types": list(item.cancer_types),
        "phases": list(item.phases),
        "audience": list(item.audience),
        "summary": item.summary,
        "url": item.url,
        "validated_by": item.validated_by,
        "validated_on": item.validated_on.isoformat() if item.validated_on else None,
        "next_review": item.next_review.isoformat() if item.next_review else None,
    }
