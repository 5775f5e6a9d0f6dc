"""Pseudonymous handles: members appear under a handle, never their name or email address.

A generated handle ("calm-heron-4821") is the default; a member may choose their own within the
rules below, which keep out email addresses, phone numbers and impersonation of staff.
"""

from __future__ import annotations

import re
import secrets

_ADJECTIVES = (
    "calm", "brave", "bright", "gentle", "steady", "quiet", "warm", "kind", "hopeful", "patient",
    "clear", "golden", "silver", "green", "blue", "sunny", "mellow", "bold", "soft", "swift",
)
_NOUNS = (
    "heron", "oak", "river", "meadow", "harbour", "willow", "lark", "fern", "pine", "robin",
    "cedar", "tide", "stone", "maple", "finch", "brook", "aspen", "wren", "birch", "swallow",
)
HANDLE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,29}$")
_RESERVED = ("admin", "moderator", "mod", "staff", "support", "doctor", "dr", "nurse", "clinician", "system")
_DIGIT_RUN = re.compile(r"\d{6,}")


class HandleError(ValueError):
    """The chosen handle breaks a rule; the message says which."""


def generate_handle() -> str:
    return f"{secrets.choice(_ADJECTIVES)}-{secrets.choice(_NOUNS)}-{secrets.randbelow(9000) + 1000}"


def check_handle(handle: str) -> str:
    handle = handle.strip().lower()
    if not HANDLE_PATTERN.match(handle):
        raise HandleError(
            "handle must be 3-30 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    words = set(re.split(r"[_.-]", handle))
    if words & set(_RESERVED):
        raise HandleError("handle must not suggest staff (admin, moderator, doctor...): choose another")
    if _DIGIT_RUN.search(handle):
        raise HandleError("handle must not contain a long number (it could be a phone number)")
    return handle
