"""Atomic output: every file is written under `<name>.part` and renamed when complete.

The pipeline may watch the folder a long synth run writes into; it skips `.part` files (see
ingestion/pipeline/landing.py), so it never lands a half-written file.
"""

from __future__ import annotations

from pathlib import Path

PART = ".part"


def part_path(path: Path) -> Path:
    return path.with_name(path.name + PART)


def finish(path: Path) -> None:
    """Publish the completed `<path>.part` under its final name."""
    part_path(path).replace(path)


def write_text_atomic(path: Path, text: str) -> None:
    part = part_path(path)
    part.write_text(text, encoding="utf-8")
    part.replace(path)
