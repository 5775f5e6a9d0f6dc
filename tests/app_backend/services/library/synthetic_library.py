"""A small synthetic catalogue, readers and interactions for the library's tests and benchmark.

Readers have latent interests (never shown to the recommender), a language, a cancer type and a
phase; what they open follows those plus item quality, with noise. Deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from app_backend.services.library.behaviour import Interaction
from app_backend.services.library.catalogue import FORMATS, PHASES, Resource

TOPICS = (
    "fatigue", "pain", "nutrition", "physical-activity", "emotional-wellbeing", "anxiety", "sleep",
    "return-to-work", "finances", "relationships", "fear-of-recurrence", "cognition", "neuropathy",
    "lymphoedema", "body-image", "menopause-symptoms", "breathlessness", "caregiving",
)
CANCER_TYPES = ("breast", "colorectal", "prostate", "lung", "melanoma", "haematological", "head-and-neck")
LANGUAGE_SHARES = {"en": 0.3, "de": 0.2, "fr": 0.15, "es": 0.1, "it": 0.1, "nl": 0.08, "pl": 0.07}
TODAY = date(2026, 6, 1)


@dataclass(frozen=True)
class SyntheticReader:
    user_id: str
    language: str
    cancer_type: str
    phase: str
    interests: tuple[str, ...]
    need: str | None


def make_catalogue(n: int = 240, seed: int = 3) -> list[Resource]:
    rng = random.Random(seed)
    languages = list(LANGUAGE_SHARES)
    items = []
    for index in range(n):
        validity = rng.random()
        validated_on = TODAY - timedelta(days=rng.randint(30, 700))
        next_review = validated_on + timedelta(days=730)
        if validity < 0.08:  # review overdue
            next_review = TODAY - timedelta(days=rng.randint(1, 200))
        items.append(Resource(
            id=f"res-{index:04d}",
            title=f"Resource {index}",
            format=rng.choice(FORMATS),
            language=rng.choices(languages, weights=list(LANGUAGE_SHARES.values()))[0],
            topics=tuple(rng.sample(TOPICS, rng.choice((1, 2, 2, 3)))),
            cancer_types=(rng.choice(CANCER_TYPES),) if rng.random() < 0.35 else (),
            phases=(rng.choice(PHASES),) if rng.random() < 0.25 else (),
            audience=("patient", "caregiver") if rng.random() < 0.8 else ("caregiver",),
            validated_by=None if 0.08 <= validity < 0.15 else "Dr. Reviewer",
            validated_on=None if 0.08 <= validity < 0.15 else validated_on,
            next_review=next_review,
        ))
    return items


def make_readers(n: int = 500, seed: int = 5) -> list[SyntheticReader]:
    rng = random.Random(seed)
    languages = list(LANGUAGE_SHARES)
    return [
        SyntheticReader(
            user_id=f"user-{index:04d}",
            language=rng.choices(languages, weights=list(LANGUAGE_SHARES.values()))[0],
            cancer_type=rng.choice(CANCER_TYPES),
            phase=rng.choice(PHASES),
            interests=tuple(rng.sample(TOPICS, 2)),
            need=rng.choice(("fatigue", "anxiety", "sleep", "pain")) if rng.random() < 0.3 else None,
        )
        for index in range(n)
    ]


def make_interactions(
    catalogue: list[Resource], readers: list[SyntheticReader], seed: int = 11
) -> list[Interaction]:
    rng = random.Random(seed)
    quality = {item.id: rng.lognormvariate(0, 0.8) for item in catalogue}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    events = []
    for reader in readers:
        weights = []
        for item in catalogue:
            weight = quality[item.id]
            weight *= 1.0 if item.language == reader.language else 0.05
            if item.cancer_types and reader.cancer_type not in item.cancer_types:
                weight *= 0.1
            weight *= 1 + 4 * len(set(item.topics) & set(reader.interests))
            if reader.need and reader.need in item.topics:
                weight *= 3
            weights.append(weight)
        chosen = set()
        for step in range(rng.randint(4, 20)):
            item = rng.choices(catalogue, weights=weights)[0]
            if item.id in chosen:
                continue
            chosen.add(item.id)
            at = start + timedelta(days=step * 3, hours=rng.randint(0, 48))
            events.append(Interaction(reader.user_id, item.id, "view", at))
            liked = bool(set(item.topics) & set(reader.interests)) or reader.need in item.topics
            if rng.random() < (0.6 if liked else 0.2):
                events.append(Interaction(reader.user_id, item.id, "complete", at + timedelta(minutes=20)))
            if rng.random() < 0.3:
                rating = rng.choice((4, 5)) if liked else rng.choice((1, 2, 3))
                events.append(Interaction(reader.user_id, item.id, "rate", at + timedelta(minutes=30), rating))
    return events
