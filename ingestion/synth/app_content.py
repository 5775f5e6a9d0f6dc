"""App-side content: the resource library, community seed posts, and survivors' library use.

`app/resources.json` is a JSON array of catalogue items in the fields of
app_backend/services/library/catalogue.py (id, title, format, language, topics, cancer_types,
phases, audience, summary, url, validated_by, validated_on, next_review). `app/interactions.csv`
(user_id = FHIR Patient id, resource_id, kind = view|complete|rate, at, rating) is driven by each
survivor's latent interests, language, cancer type and phase, so that a personalised recommender
can beat popularity. Everything is fictional: authors are role names and pseudonyms.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from ingestion.synth.cohort import Patient
from ingestion.synth.episodes import Episode
from ingestion.synth.files import finish, part_path, write_text_atomic
from ingestion.synth.library_text import (
    ANGLES,
    LANGUAGES,
    POST_LINES,
    SUMMARY,
    TOPIC_NAMES,
    topic_name,
)
from ingestion.synth.rand import stream, weighted

N_RESOURCES = 240
FORMATS = {
    "article": 0.4,
    "video": 0.2,
    "podcast": 0.1,
    "guideline": 0.1,
    "course": 0.1,
    "news": 0.1,
}
LANGUAGE_SHARES = {"en": 0.24, "de": 0.18, "fr": 0.14, "es": 0.12, "it": 0.12, "nl": 0.1, "pl": 0.1}
PHASES = ("newly-diagnosed", "in-treatment", "post-treatment", "long-term", "advanced")
CANCER_TOPICS = {
    "breast": ("lymphoedema", "body-image", "menopause-symptoms"),
    "prostate": ("body-image", "relationships"),
    "colorectal": ("nutrition", "body-image"),
    "lung": ("breathlessness", "physical-activity"),
    "melanoma": ("fear-of-recurrence",),
    "haematological": ("fatigue", "cognition"),
    "head-and-neck": ("nutrition", "body-image"),
}
EPISODE_TOPICS = {
    "depression_onset": ("emotional-wellbeing", "anxiety"),
    "fatigue_flare": ("fatigue", "sleep"),
    "weight_loss": ("nutrition",),
    "activity_decline": ("physical-activity",),
}
VALIDATORS = (
    "Oncology nurse specialist panel",
    "Psycho-oncology team",
    "Survivorship clinic editorial board",
    "Patient advisory group with clinical reviewer",
    "Rehabilitation and exercise team",
)
INTERACTION_HEADER = ["user_id", "resource_id", "kind", "at", "rating"]


def patient_phase(patient: Patient, day: date) -> str:
    if patient.stage == "IV":
        return "advanced"
    if (day - patient.diagnosis_date).days < 180:
        return "newly-diagnosed"
    if patient.treatment_kinds_on(day) & {
        "chemotherapy",
        "radiotherapy",
        "immunotherapy",
        "targeted",
    }:
        return "in-treatment"
    if (day - patient.diagnosis_date).days < 730:
        return "post-treatment"
    return "long-term"


def make_catalogue(seed: int, today: date) -> list[dict]:
    rng = stream(seed, "library")
    topics = list(TOPIC_NAMES)
    items = []
    for index in range(N_RESOURCES):
        language = weighted(rng, LANGUAGE_SHARES)
        item_topics = rng.sample(topics, rng.choice((1, 1, 2, 2, 3)))
        fmt = weighted(rng, FORMATS)
        angle = rng.choice(ANGLES[language])
        title = f"{topic_name(item_topics[0], language)}: {angle}"
        cancer_types = [rng.choice(list(CANCER_TOPICS))] if rng.random() < 0.3 else []
        validated_on = today - timedelta(days=rng.randint(20, 720))
        # Reviews are due two years after validation; a few are overdue, as in any real library.
        next_review = validated_on + timedelta(
            days=730 if rng.random() > 0.06 else rng.randint(200, 400)
        )
        items.append(
            {
                "id": f"lib-{index + 1:04d}",
                "title": title,
                "format": fmt,
                "language": language,
                "topics": item_topics,
                "cancer_types": cancer_types,
                "phases": [rng.choice(PHASES)] if rng.random() < 0.3 else [],
                "audience": ["patient", "caregiver"]
                if rng.random() < 0.7
                else (["caregiver"] if "caregiving" in item_topics else ["patient"]),
                "summary": SUMMARY[language].format(
                    topic=topic_name(item_topics[0], language).lower()
                ),
                "url": f"https://library.survivorship-platform.example/{language}/lib-{index + 1:04d}",
                "duration_minutes": {
                    "article": 6,
                    "video": 12,
                    "podcast": 25,
                    "guideline": 15,
                    "course": 90,
                    "news": 3,
                }[fmt]
                + rng.randint(0, 8),
                "validated_by": rng.choice(VALIDATORS),
                "validated_on": validated_on.isoformat(),
                "next_review": next_review.isoformat(),
            }
        )
    return items


def make_community(seed: int, window_start: date, days: int) -> dict:
    rng = stream(seed, "community")
    groups, posts = [], []
    topics = (
        "fatigue",
        "emotional-wellbeing",
        "return-to-work",
        "nutrition",
        "fear-of-recurrence",
        "caregiving",
    )
    for language in LANGUAGES:
        for topic in topics[: 4 if language != "en" else 6]:
            group_id = f"grp-{language}-{topic}"
            groups.append(
                {
                    "id": group_id,
                    "name": topic_name(topic, language),
                    "language": language,
                    "topic": topic,
                    "moderated": True,
                }
            )
            for n in range(rng.randint(3, 7)):
                created = datetime.combine(
                    window_start + timedelta(days=rng.randrange(days)),
                    time(rng.randint(7, 22), rng.randint(0, 59)),
                    UTC,
                )
                lines = POST_LINES[language]
                replies = []
                for r in range(rng.randint(0, 4)):
                    replies.append(
                        {
                            "id": f"{group_id}-p{n + 1}-r{r + 1}",
                            "author": f"member-{rng.randint(1000, 9999)}",
                            "created_at": (
                                created + timedelta(hours=rng.randint(1, 72))
                            ).isoformat(),
                            "body": rng.choice(lines),
                        }
                    )
                replies.sort(key=lambda reply: reply["created_at"])
                posts.append(
                    {
                        "id": f"{group_id}-p{n + 1}",
                        "group_id": group_id,
                        "author": f"member-{rng.randint(1000, 9999)}",
                        "created_at": created.isoformat(),
                        "title": f"{topic_name(topic, language)}: {rng.choice(lines)}",
                        "body": " ".join(rng.sample(lines, 3)),
                        "replies": replies,
                    }
                )
    return {"groups": groups, "posts": posts}


def publish_catalogue(directory: Path, seed: int, window_start: date, days: int) -> None:
    """Write resources.json and community_posts.json (they do not depend on the patients)."""
    directory.mkdir(parents=True, exist_ok=True)
    catalogue = make_catalogue(seed, window_start + timedelta(days=days))
    write_text_atomic(
        directory / "resources.json", json.dumps(catalogue, ensure_ascii=False, indent=1) + "\n"
    )
    community = make_community(seed, window_start, days)
    write_text_atomic(
        directory / "community_posts.json",
        json.dumps(community, ensure_ascii=False, indent=1) + "\n",
    )


class AppContent:
    """Survivors' library use, patient by patient, into `directory/interactions.csv`.

    With `shard=True` only the rows are written (no header, no catalogue files): a chunk of
    patients whose rows the generator appends to the cohort's file in patient order.
    """

    def __init__(
        self, directory: Path, seed: int, window_start: date, days: int, shard: bool = False
    ):
        directory.mkdir(parents=True, exist_ok=True)
        self.seed = seed
        self.window_start = window_start
        self.days = days
        self.catalogue = make_catalogue(seed, window_start + timedelta(days=days))
        quality_rng = stream(seed, "library-quality")
        self.quality = [quality_rng.lognormvariate(0, 0.7) for _ in self.catalogue]
        if not shard:
            publish_catalogue(directory, seed, window_start, days)
        self.path = directory / "interactions.csv"
        self.handle = open(part_path(self.path), "w", newline="", encoding="utf-8")  # noqa: SIM115
        self.writer = csv.writer(self.handle, lineterminator="\n")
        if not shard:
            self.writer.writerow(INTERACTION_HEADER)

    def _interests(self, rng: random.Random, patient: Patient, episodes: list[Episode]) -> set[str]:
        interests = set(rng.sample(list(TOPIC_NAMES), 2))
        interests |= set(CANCER_TOPICS[patient.cancer][:1])
        for episode in episodes:
            interests |= set(EPISODE_TOPICS.get(episode.kind, ()))
        return interests

    def add_patient(self, patient: Patient, episodes: list[Episode]) -> None:
        rng = stream(self.seed, patient.index, "library-use")
        if rng.random() > 0.7:  # not every survivor opens the library
            return
        interests = self._interests(rng, patient, episodes)
        phase = patient_phase(patient, self.window_start)
        second_language = "en" if rng.random() < 0.3 else None
        weights = []
        for item, quality in zip(self.catalogue, self.quality, strict=True):
            weight = quality
            if item["language"] != patient.language:
                weight *= 0.4 if item["language"] == second_language else 0.01
            if item["cancer_types"] and patient.cancer not in item["cancer_types"]:
                weight *= 0.1
            if item["phases"] and phase not in item["phases"]:
                weight *= 0.3
            weight *= 1 + 5 * len(interests.intersection(item["topics"]))
            weights.append(weight)
        events = []
        seen = set()
        for _ in range(rng.randint(3, 6 + self.days // 20)):
            index = rng.choices(range(len(self.catalogue)), weights=weights)[0]
            if index in seen:
                continue
            seen.add(index)
            item = self.catalogue[index]
            at = datetime.combine(
                self.window_start + timedelta(days=rng.randrange(self.days)),
                time(rng.randint(7, 22), rng.randint(0, 59)),
                UTC,
            )
            liked = bool(interests.intersection(item["topics"]))
            events.append((at, item["id"], "view", ""))
            if rng.random() < (0.65 if liked else 0.2):
                events.append(
                    (at + timedelta(minutes=item["duration_minutes"]), item["id"], "complete", "")
                )
            if rng.random() < 0.35:
                rating = rng.choice((4, 5, 5)) if liked else rng.choice((1, 2, 3))
                events.append(
                    (
                        at + timedelta(minutes=item["duration_minutes"] + 1),
                        item["id"],
                        "rate",
                        rating,
                    )
                )
        events.sort()
        for at, resource_id, kind, rating in events:
            self.writer.writerow([patient.patient_id, resource_id, kind, at.isoformat(), rating])

    def close(self) -> None:
        self.handle.close()
        finish(self.path)
