"""The moderation state machine for posts and replies, and what happens to their reports.

    visible --report x N (distinct members)--> hidden (pending review)
    visible --hide (moderator)--> hidden         open reports -> upheld
    hidden  --restore (moderator)--> visible     open reports -> dismissed
    visible --dismiss (moderator)--> visible     open reports -> dismissed
    any     --delete (author, erasure)--> gone (the row is deleted, not kept)

A post stays in the moderator queue while it has open reports or was hidden automatically and
nobody has reviewed it yet.
"""

from __future__ import annotations

VISIBLE = "visible"
HIDDEN = "hidden"
STATES = (VISIBLE, HIDDEN)

REPORT_OPEN = "open"
REPORT_UPHELD = "upheld"
REPORT_DISMISSED = "dismissed"

REPORT_REASONS = ("spam", "abuse", "misinformation", "privacy", "self-harm", "other")

# action -> (states it applies to, resulting state, what happens to open reports)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str | None]] = {
    "hide": ((VISIBLE,), HIDDEN, REPORT_UPHELD),
    "restore": ((HIDDEN,), VISIBLE, REPORT_DISMISSED),
    "dismiss": ((VISIBLE,), VISIBLE, REPORT_DISMISSED),
}


class ModerationError(ValueError):
    """The action does not apply to the content in its current state."""


def apply(action: str, state: str) -> tuple[str, str | None]:
    """The new state and the status open reports take, or ModerationError."""
    if action not in TRANSITIONS:
        raise ModerationError(f"unknown moderation action {action!r}: use one of {', '.join(TRANSITIONS)}")
    sources, target, report_status = TRANSITIONS[action]
    if state not in sources:
        raise ModerationError(f"cannot {action} content that is {state}")
    return target, report_status


def should_auto_hide(state: str, distinct_reporters: int, threshold: int) -> bool:
    return state == VISIBLE and threshold > 0 and distinct_reporters >= threshold
