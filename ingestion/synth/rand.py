"""Deterministic randomness: one independent stream per (seed, patient, purpose).

Python's `random.Random` seeded with a str hashes it with SHA-512, independent of PYTHONHASHSEED,
so a stream depends only on its name. Separate streams per purpose keep one part of a patient
(say, their PROMs) unchanged when another part's code draws a different number of values.
"""

from __future__ import annotations

import random
import uuid

NAMESPACE = uuid.UUID("5b0c3c2e-8a4f-4a8e-9a57-3f1b2c6d7e90")


def stream(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join([str(seed), *map(str, parts)]))


def stable_uuid(*parts: object) -> str:
    """A UUID that is a pure function of its parts (for fullUrl, data point ids)."""
    return str(uuid.uuid5(NAMESPACE, ":".join(map(str, parts))))


def weighted(rng: random.Random, options: dict[str, float]) -> str:
    """One key of `options`, drawn with its weight (dict order is fixed, so this is deterministic)."""
    keys = list(options)
    return rng.choices(keys, weights=[options[k] for k in keys], k=1)[0]


def clamp(value: float, low: float, high: float) -> float:
    return low if value < low else min(value, high)
