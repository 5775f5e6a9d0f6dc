"""Crisis screening for community posts: phrases suggesting suicidal thoughts or self-harm.

This is a screening aid, not a diagnosis. It looks for known phrases (crisis_phrases.json, in
every catalogue language) after normalising the text the same way as the phrases: lower case,
accents folded (ü -> u, ł -> l), apostrophes dropped, common digit-for-letter swaps undone,
repeated letters folded ("diiie" -> "die"). It errs towards showing help: a match shows the
author crisis resources at once; their care team hears of it only with the author's consent.
Every language is screened whatever the post's language, since people mix languages.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PHRASES_FILE = Path(__file__).with_name("crisis_phrases.json")
RESOURCES_FILE = Path(__file__).with_name("crisis_resources.json")
DEFAULT_LANGUAGE = "en"

_LETTER_SWAPS = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                               "$": "s", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d"})
_APOSTROPHES = re.compile(r"['\u2019\u2018`\u00b4]")
_NOT_LETTERS = re.compile(r"[^a-z]+")
_REPEATS = re.compile(r"([a-z])\1+")


def normalise(text: str) -> str:
    text = text.casefold().translate(_LETTER_SWAPS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text)
    text = _NOT_LETTERS.sub(" ", text)
    return _REPEATS.sub(r"\1", text).strip()


def _phrase_pattern(phrase: str) -> str:
    parts = []
    for word in phrase.split():
        stem = normalise(word.rstrip("*"))
        parts.append(re.escape(stem) + (r"[a-z]*" if word.endswith("*") else ""))
    return r"\b" + r" ".join(parts) + r"\b"


@dataclass(frozen=True)
class PhraseList:
    version: int
    # (language, category, original phrase, compiled pattern)
    patterns: tuple[tuple[str, str, str, re.Pattern], ...]


@lru_cache(maxsize=4)
def load_phrases(path: Path = PHRASES_FILE) -> PhraseList:
    data = json.loads(path.read_text(encoding="utf-8"))
    patterns = tuple(
        (language, category, phrase, re.compile(_phrase_pattern(phrase)))
        for language, categories in data["languages"].items()
        for category, phrases in categories.items()
        for phrase in phrases
    )
    return PhraseList(int(data["version"]), patterns)


@dataclass(frozen=True)
class CrisisScreen:
    flagged: bool
    categories: tuple[str, ...] = ()  # suicide | self_harm
    languages: tuple[str, ...] = ()
    matched: tuple[str, ...] = ()  # the phrases, for the care team's "why" (never the whole post)
    phrase_list_version: int = 0


def screen(text: str, phrases: PhraseList | None = None) -> CrisisScreen:
    phrases = phrases or load_phrases()
    normalised = normalise(text)
    hits = [(lang, cat, phrase) for lang, cat, phrase, pattern in phrases.patterns if pattern.search(normalised)]
    if not hits:
        return CrisisScreen(False, phrase_list_version=phrases.version)
    return CrisisScreen(
        True,
        categories=tuple(sorted({cat for _, cat, _ in hits})),
        languages=tuple(sorted({lang for lang, _, _ in hits})),
        matched=tuple(dict.fromkeys(phrase for _, _, phrase in hits)),
        phrase_list_version=phrases.version,
    )


@lru_cache(maxsize=4)
def load_crisis_resources(path: Path = RESOURCES_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def crisis_resources(language: str | None, path: Path = RESOURCES_FILE) -> dict:
    """What to show the author now, in their language (English when it is not covered)."""
    data = load_crisis_resources(path)
    chosen = language if language in data["languages"] else DEFAULT_LANGUAGE
    entry = data["languages"][chosen]
    return {
        "language": chosen,
        "message": entry["message"],
        "emergency": data["emergency"],
        "lines": entry["lines"],
        "version": data["version"],
    }
