"""What survivors did with the catalogue (views, completions, ratings), condensed for recommending.

Two signals come out of it: each reader's taste (the topics and formats of what they valued) and
item co-occurrence ("people who valued this also valued that"), plus plain popularity for the
cold start. Fitting is a single pass over the interactions; a few thousand readers fit in
milliseconds, so the model is rebuilt per request batch rather than stored.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("view", "complete", "rate", "save", "dismiss")


@dataclass(frozen=True)
class Interaction:
    user_id: str
    resource_id: str
    kind: str  # view | complete | rate | save | dismiss
    at: datetime | None = None
    rating: int | None = None  # 1-5, for kind "rate"


def interaction_weight(event: Interaction) -> float:
    """How much an event says the reader valued the item; negative when they did not."""
    if event.kind == "rate" and event.rating is not None:
        return {1: -2.0, 2: -1.0, 3: 0.5, 4: 2.5, 5: 3.0}.get(int(event.rating), 0.0)
    return {"view": 1.0, "complete": 2.0, "save": 1.5, "dismiss": -2.0}.get(event.kind, 0.0)


@dataclass
class BehaviourModel:
    # reader -> item -> summed weight (positive: valued; negative: disliked or dismissed)
    affinity: dict[str, dict[str, float]] = field(default_factory=dict)
    popularity: Counter = field(default_factory=Counter)  # item -> readers who valued it
    co_counts: dict[str, Counter] = field(default_factory=dict)
    # segment (e.g. a cancer type) -> item -> readers of that segment who valued it
    peer_popularity: dict[str, Counter] = field(default_factory=dict)
    _top: dict[str, int] = field(default_factory=dict, repr=False)

    def seen(self, user_id: str) -> set[str]:
        return set(self.affinity.get(user_id, {}))

    def valued(self, user_id: str) -> dict[str, float]:
        return {item: w for item, w in self.affinity.get(user_id, {}).items() if w > 0}

    def popularity_score(self, item_id: str) -> float:
        return self._log_share(self.popularity, "", item_id)

    def peer_popularity_score(self, segment: str | None, item_id: str) -> float:
        counts = self.peer_popularity.get(segment or "")
        return self._log_share(counts, f"peer:{segment}", item_id) if counts else 0.0

    def _log_share(self, counts: Counter, key: str, item_id: str) -> float:
        if key not in self._top:  # computed once per model, not once per item
            self._top[key] = max(counts.values(), default=0)
        top = self._top[key]
        return math.log1p(counts[item_id]) / math.log1p(top) if top else 0.0

    def co_occurrence(self, item_id: str, other_id: str) -> float:
        """Cosine-normalised co-occurrence, so blockbusters do not co-occur with everything."""
        together = self.co_counts.get(item_id, {}).get(other_id, 0)
        if not together:
            return 0.0
        return together / math.sqrt(self.popularity[item_id] * self.popularity[other_id])


def fit(interactions: Iterable[Interaction], segments: Mapping[str, str] | None = None,
        max_items_per_reader: int = 200) -> BehaviourModel:
    """`segments` maps readers to a peer group (their cancer type) for peer popularity."""
    affinity: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for event in interactions:
        affinity[event.user_id][event.resource_id] += interaction_weight(event)
    model = BehaviourModel(affinity={u: dict(items) for u, items in affinity.items()})
    co_counts: dict[str, Counter] = defaultdict(Counter)
    peers: dict[str, Counter] = defaultdict(Counter)
    for user_id, items in model.affinity.items():
        valued = sorted((i for i, w in items.items() if w > 0), key=lambda i: -items[i])
        valued = valued[:max_items_per_reader]  # bounds the pair count for heavy readers
        model.popularity.update(valued)
        if segments and segments.get(user_id):
            peers[segments[user_id]].update(valued)
        for position, item in enumerate(valued):
            for other in valued[position + 1:]:
                co_counts[item][other] += 1
                co_counts[other][item] += 1
    model.co_counts = dict(co_counts)
    model.peer_popularity = dict(peers)
    return model
