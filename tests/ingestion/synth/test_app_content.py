"""Library catalogue, community seed and interactions: complete, validated, and personalised."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from ingestion.synth.app_content import AppContent
from ingestion.synth.cohort import make_patient
from ingestion.synth.episodes import plan_episodes


def test_catalogue_has_validated_items_in_many_languages(demo_cohort: Path):
    items = json.loads((demo_cohort / "app" / "resources.json").read_text())
    assert len(items) >= 200
    assert len({i["id"] for i in items}) == len(items)
    assert {"en", "de", "fr", "es", "it", "nl", "pl"} <= {i["language"] for i in items}
    assert {"article", "video", "podcast", "guideline", "course", "news"} == {
        i["format"] for i in items
    }
    for item in items:
        assert item["validated_by"] and item["validated_on"] < item["next_review"]
        assert item["topics"]
    catalogue = pytest.importorskip("app_backend.services.library.catalogue")
    assert len([catalogue.resource_from_dict(item) for item in items]) == len(items)


def test_community_seed_has_groups_posts_and_replies_by_pseudonyms(demo_cohort: Path):
    community = json.loads((demo_cohort / "app" / "community_posts.json").read_text())
    groups = {g["id"] for g in community["groups"]}
    assert len({g["language"] for g in community["groups"]}) >= 7
    assert all(p["group_id"] in groups for p in community["posts"])
    assert sum(len(p["replies"]) for p in community["posts"]) > 50
    assert all(p["author"].startswith("member-") for p in community["posts"])


def test_interactions_reference_real_items_and_patients(demo_cohort: Path):
    items = {i["id"] for i in json.loads((demo_cohort / "app" / "resources.json").read_text())}
    patients = {
        json.loads(line)["id"]
        for line in (demo_cohort / "fhir" / "bulk" / "Patient.ndjson").read_text().splitlines()
    }
    with open(demo_cohort / "app" / "interactions.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {r["kind"] for r in rows} == {"view", "complete", "rate"}
    assert {r["resource_id"] for r in rows} <= items and {r["user_id"] for r in rows} <= patients
    assert all(1 <= int(r["rating"]) <= 5 for r in rows if r["kind"] == "rate")


def test_personal_preferences_beat_popularity_on_held_out_views(tmp_path: Path):
    """Hold out each reader's last views: a topic-profile recommender must beat popularity."""
    start = date(2026, 1, 1)
    content = AppContent(tmp_path, seed=3, window_start=start, days=365)
    for index in range(400):
        content.add_patient(make_patient(3, index, start), plan_episodes(3, index, 365))
    content.close()
    topics = {i["id"]: set(i["topics"]) for i in content.catalogue}
    language = {i["id"]: i["language"] for i in content.catalogue}
    views = defaultdict(list)
    with open(tmp_path / "interactions.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] == "view":
                views[row["user_id"]].append(row["resource_id"])
    train = {u: v[:-2] for u, v in views.items() if len(v) >= 5}
    popularity = Counter(item for seen in train.values() for item in seen)
    hits_pop = hits_personal = 0
    for user, seen in train.items():
        held_out = set(views[user][-2:])
        candidates = [i for i in topics if i not in seen]
        by_popularity = sorted(candidates, key=lambda i: (-popularity[i], i))[:5]
        profile = Counter(t for i in seen for t in topics[i])
        langs = Counter(language[i] for i in seen)
        personal = sorted(
            candidates,
            key=lambda i: (
                -(sum(profile[t] for t in topics[i]) + 1)
                * (langs[language[i]] + 0.1)
                * (1 + popularity[i]) ** 0.5,
                i,
            ),
        )[:5]
        hits_pop += len(held_out & set(by_popularity))
        hits_personal += len(held_out & set(personal))
    assert hits_personal > 2 * hits_pop
