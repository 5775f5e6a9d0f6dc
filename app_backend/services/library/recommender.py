"""Personalised recommendations, each with the reasons a person can read.

A hybrid in the open: every signal is a named component with a weight, the score is their
weighted sum, and the components that carried an item become its reasons. Signals:

- current state: needs derived from the latest PROM scores (high fatigue -> fatigue management);
- stated preferences: topics and formats the reader asked for;
- profile: resources written for their cancer type and treatment phase;
- behaviour: similarity to the topics they valued, and co-occurrence with items they valued;
- popularity: among survivors with the same cancer type, and overall (the cold start).

Hard filters come first and are never traded against a score: only validated, unexpired items,
in a language the reader reads, for their audience, and not written for another cancer type.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from app_backend.services.library.behaviour import BehaviourModel
from app_backend.services.library.catalogue import Resource
from app_backend.services.library.needs import Need

# Chosen on the synthetic cohort's offline evaluation (tests/benchmarks/bench_library.py) and
# kept round: the current state leads, co-occurrence is the strongest behavioural signal, and
# popularity (above all among peers with the same cancer type) is a real signal of quality, not
# only a cold-start fallback.
WEIGHTS = {
    "current_state": 1.5,
    "preferred_topic": 2.0,
    "co_occurrence": 2.5,
    "similar_topics": 1.5,
    "cancer_type": 1.0,
    "phase": 0.6,
    "preferred_format": 0.5,
    "popular": 1.5,
    "peer_popular": 2.0,
}
# A component explains an item when it contributed at least this much to its score.
REASON_MIN_CONTRIBUTION = 0.3
MAX_REASONS = 3
# Each further item sharing a main topic with one already chosen counts for less (variety).
REPEAT_TOPIC_DISCOUNT = 0.8

PHASE_WORDS = {
    "newly-diagnosed": "recently diagnosed",
    "in-treatment": "in treatment",
    "post-treatment": "who have finished treatment",
    "long-term": "in long-term survivorship",
    "advanced": "living with advanced cancer",
}


@dataclass(frozen=True)
class Reader:
    user_id: str
    languages: tuple[str, ...] = ()  # empty: any language
    audience: str = "patient"
    cancer_type: str | None = None
    phase: str | None = None
    preferred_topics: tuple[str, ...] = ()
    preferred_formats: tuple[str, ...] = ()
    needs: tuple[Need, ...] = ()


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


@dataclass
class Recommendation:
    resource: Resource
    score: float
    reasons: list[Reason] = field(default_factory=list)


def eligible(item: Resource, reader: Reader, today: date) -> bool:
    if not item.is_recommendable(today):
        return False
    if reader.languages and item.language not in reader.languages:
        return False
    if reader.audience not in item.audience:
        return False
    if item.cancer_types and reader.cancer_type and reader.cancer_type not in item.cancer_types:
        return False
    return not (item.phases and reader.phase and reader.phase not in item.phases)


def _topic_profile(valued: dict[str, float], by_id: dict[str, Resource]) -> Counter:
    profile: Counter = Counter()
    for item_id, weight in valued.items():
        item = by_id.get(item_id)
        if item is None:
            continue
        for topic in item.topics:
            profile[topic] += weight / len(item.topics)
    return profile


def _cosine(profile: Counter, topics: Sequence[str]) -> tuple[float, str | None]:
    norm = math.sqrt(sum(v * v for v in profile.values()))
    if not norm or not topics:
        return 0.0, None
    overlap = [(profile[t], t) for t in topics if profile[t] > 0]
    if not overlap:
        return 0.0, None
    return sum(v for v, _ in overlap) / (norm * math.sqrt(len(topics))), max(overlap)[1]


def _components(item, reader, model, valued, profile, by_id) -> dict[str, tuple[float, str]]:
    """Each signal's strength in [0, 1] for this item, with the sentence that explains it."""
    found: dict[str, tuple[float, str]] = {}
    matching_needs = [n for n in reader.needs if n.topic in item.topics]
    if matching_needs:
        need = max(matching_needs, key=lambda n: n.strength)
        found["current_state"] = (
            need.strength,
            (f"Your recent questionnaire answers suggest {need.concern} is troubling you; "
            f"this covers {need.topic.replace('-', ' ')}."),
        )
    asked = [t for t in item.topics if t in reader.preferred_topics]
    if asked:
        found["preferred_topic"] = (1.0, f"You asked for resources about {asked[0].replace('-', ' ')}.")
    if reader.preferred_formats and item.format in reader.preferred_formats:
        found["preferred_format"] = (1.0, f"It is a {item.format}, a format you prefer.")
    if reader.cancer_type and reader.cancer_type in item.cancer_types:
        found["cancer_type"] = (1.0, f"Written for people with {reader.cancer_type.replace('-', ' ')} cancer.")
    if reader.phase and reader.phase in item.phases:
        found["phase"] = (1.0, f"Written for people {PHASE_WORDS.get(reader.phase, reader.phase)}.")
    if valued:
        best, best_id = 0.0, None
        for other_id, weight in valued.items():
            strength = model.co_occurrence(item.id, other_id) * min(weight, 3.0) / 3.0
            if strength > best:
                best, best_id = strength, other_id
        if best_id is not None:
            title = by_id[best_id].title if best_id in by_id else best_id
            found["co_occurrence"] = (
                min(1.0, 2.0 * best), f"People who found \u201c{title}\u201d useful also used this."
            )
        similarity, topic = _cosine(profile, item.topics)
        if topic:
            found["similar_topics"] = (
                similarity, f"Like other resources about {topic.replace('-', ' ')} you have used."
            )
    peer = model.peer_popularity_score(reader.cancer_type, item.id)
    if peer:
        found["peer_popular"] = (
            peer, f"Valued by other survivors of {(reader.cancer_type or '').replace('-', ' ')} cancer."
        )
    popularity = model.popularity_score(item.id)
    if popularity:
        found["popular"] = (popularity, "Popular with other survivors using the library.")
    return found


def _reasons(components: dict[str, tuple[float, str]], item: Resource) -> list[Reason]:
    ranked = sorted(
        ((WEIGHTS[code] * strength, code, text) for code, (strength, text) in components.items()),
        reverse=True,
    )
    reasons = [Reason(code, text) for value, code, text in ranked if value >= REASON_MIN_CONTRIBUTION]
    if not reasons:
        # Cold start with nothing known: say why the item is trustworthy, never nothing.
        reasons = [Reason("validated", f"Checked by {item.validated_by} on {item.validated_on:%d %B %Y}.")]
    return reasons[:MAX_REASONS]


def recommend(
    catalogue: Iterable[Resource],
    reader: Reader,
    model: BehaviourModel,
    today: date,
    limit: int = 5,
) -> list[Recommendation]:
    items = list(catalogue)
    by_id = {item.id: item for item in items}
    seen = model.seen(reader.user_id)
    valued = model.valued(reader.user_id)
    profile = _topic_profile(valued, by_id)
    scored: list[Recommendation] = []
    for item in items:
        if item.id in seen or not eligible(item, reader, today):
            continue
        components = _components(item, reader, model, valued, profile, by_id)
        score = sum(WEIGHTS[code] * strength for code, (strength, _) in components.items())
        # Ties (the pure cold start) go to the most recently validated item.
        scored.append(Recommendation(item, score, _reasons(components, item)))
    scored.sort(key=lambda r: (-r.score, -(r.resource.validated_on or date.min).toordinal(), r.resource.id))
    return _diversify(scored, limit)


def _diversify(ranked: list[Recommendation], limit: int) -> list[Recommendation]:
    """Greedy re-rank: an item whose main topic is already shown loses a little, so one strong
    interest does not fill the whole list."""
    chosen: list[Recommendation] = []
    shown: Counter = Counter()
    pool = ranked[: max(limit * 8, 40)]
    while pool and len(chosen) < limit:
        best = max(pool, key=lambda r: r.score * REPEAT_TOPIC_DISCOUNT ** shown[r.resource.topics[0]])
        pool.remove(best)
        chosen.append(best)
        shown[best.resource.topics[0]] += 1
    return chosen


def popularity_baseline(
    catalogue: Iterable[Resource], user_id: str, model: BehaviourModel, today: date, limit: int = 5
) -> list[Resource]:
    """The baseline the recommender must beat: the most valued items the reader has not seen."""
    seen = model.seen(user_id)
    items = [i for i in catalogue if i.is_recommendable(today) and i.id not in seen]
    items.sort(key=lambda i: (-model.popularity[i.id], i.id))
    return items[:limit]
