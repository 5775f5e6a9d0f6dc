"""Rich text for posts: an allow-list sanitiser (nh3, the Rust ammonia library), applied before
storage, so what the database holds is inert wherever it is later shown (app, dashboards, email).

Only simple formatting survives: no scripts, styles, event handlers, images, frames or forms, and
links only to http(s) and mailto addresses, opened with rel="noopener noreferrer nofollow".
"""

from __future__ import annotations

import html
import re

import nh3

MAX_BODY_CHARS = 10_000  # before sanitising: bounds the work and the storage

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "em", "b", "i", "u", "s", "ul", "ol", "li", "blockquote", "code", "pre", "a",
})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style", "template", "noscript", "iframe", "object", "svg", "math"},
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    # A relative link would resolve against whichever site shows the post; refuse it.
    url_relative="deny",
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
_text_only = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style", "template"})
_BLOCK_END = re.compile(r"</(p|li|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")


class ContentError(ValueError):
    """The text cannot be posted as it is; the message says what to change."""


def sanitize_html(raw: str) -> str:
    """Allow-listed HTML, safe to store and to render as HTML."""
    if len(raw) > MAX_BODY_CHARS:
        raise ContentError(f"text is too long: at most {MAX_BODY_CHARS} characters")
    cleaned = _cleaner.clean(raw).strip()
    if not plain_text(cleaned):
        raise ContentError("text is empty once formatting is removed: write a few words")
    return cleaned


def plain_text(fragment: str) -> str:
    """The words of an HTML fragment, for screening, search and notifications."""
    spaced = _BLOCK_END.sub(lambda m: m.group(0) + "\n", fragment)
    text = html.unescape(_text_only.clean(spaced))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines() if line.strip())
