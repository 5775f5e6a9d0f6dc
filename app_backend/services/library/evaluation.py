"""Offline evaluation of recommendations: a per-reader temporal hold-out, precision@k, coverage.

Each reader's last valued interactions are hidden; the recommender sees everything else and is
scored on whether it puts the hidden items in its top k. Coverage is the share of the
recommendable catalogue that appears in anyone's list (a popularity list covers almost nothing).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from app_backend.services.library.behaviour import Interaction, interaction_weight


@dataclass(frozen=True)
class Split:
    train: list[Interaction]
    held_out: dict[str, set[str]]  # reader -> items they went on to value


def temporal_split(
    interactions: Iterable[Interaction], holdout_share: float = 0.25, min_valued: int = 4
) -> Split:
    """Per reader, the most recent share of the items they valued is held out (with every
    event on those items, so a later view does not leak them into training)."""
    by_user: dict[str, list[Interaction]] = defaultdict(list)
    for event in interactions:
        by_user[event.user_id].append(event)
    train: list[Interaction] = []
    held_out: dict[str, set[str]] = {}
    for user_id, events in by_user.items():
        events.sort(key=lambda e: (e.at or datetime.min, e.resource_id))
        weight: dict[str, float] = defaultdict(float)
        first_seen: dict[str, int] = {}
        for position, event in enumerate(events):
            weight[event.resource_id] += interaction_weight(event)
            first_seen.setdefault(event.resource_id, position)
        valued = sorted((i for i, w in weight.items() if w > 0), key=first_seen.__getitem__)
        if len(valued) < min_valued:
            train.extend(events)
            continue
        hidden = set(valued[-max(1, round(len(valued) * holdout_share)):])
        held_out[user_id] = hidden
        train.extend(e for e in events if e.resource_id not in hidden)
    return Split(train, held_out)


def precision_at_k(recommended: dict[str, Sequence[str]], relevant: dict[str, set[str]], k: int) -> float:
    users = [u for u in relevant if relevant[u]]
    if not users:
        return 0.0
    hits = sum(len(set(list(recommended.get(u, []))[:k]) & relevant[u]) for u in users)
    return hits / (k * len(users))


def coverage(recommended: dict[str, Sequence[str]], catalogue_ids: Iterable[str]) -> float:
    catalogue = set(catalogue_ids)
    if not catalogue:
        return 0.0
    shown = {item for items in recommended.values() for item in items}
    return len(shown & catalogue) / len(catalogue)


def evaluate(
    split: Split,
    rank: Callable[[str], Sequence[str]],
    catalogue_ids: Iterable[str],
    k: int = 5,
) -> dict[str, float]:
    lists = {user_id: list(rank(user_id))[:k] for user_id in split.held_out}
    return {
        f"precision_at_{k}": precision_at_k(lists, split.held_out, k),
        "coverage": coverage(lists, catalogue_ids),
        "readers": len(lists),
    }


def load_interactions_csv(path) -> list[Interaction]:
    """Interactions as the synthetic cohort writes them (app/interactions.csv):
    user_id, resource_id, kind (view|complete|rate), at (ISO datetime), rating (1-5 or empty)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            Interaction(row["user_id"], row["resource_id"], row["kind"], datetime.fromisoformat(row["at"]),
                        int(row["rating"]) if row.get("rating") else None)
            for row in csv.DictReader(handle)
        ]
