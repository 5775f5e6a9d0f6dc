"""Community rules a centre can tune: spam limits (per-member sliding windows) and moderation.

The limits are checked against the member's own recent rows in the database (posts, replies,
reports, reactions), so they hold across several workers without a shared cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RateLimit:
    max_events: int
    window_seconds: int

    def retry_after(self, recent: Iterable[datetime], now: datetime) -> int | None:
        """Seconds until one more event is allowed, or None when it is allowed now.

        Sliding window: the events of the last `window_seconds` count; the oldest of them
        leaving the window frees a slot.
        """
        window_start = now - timedelta(seconds=self.window_seconds)
        inside = sorted(t for t in recent if t > window_start)
        if len(inside) < self.max_events:
            return None
        frees_at = inside[len(inside) - self.max_events] + timedelta(seconds=self.window_seconds)
        return max(1, int((frees_at - now).total_seconds() + 0.999))


@dataclass(frozen=True)
class CommunityPolicy:
    limits: dict[str, tuple[RateLimit, ...]] = field(default_factory=lambda: {
        # A burst limit and a daily limit: a person in a lively thread is never held back,
        # a script posting every few seconds is.
        "post": (RateLimit(5, 600), RateLimit(30, 86_400)),
        "reply": (RateLimit(15, 600), RateLimit(150, 86_400)),
        "report": (RateLimit(10, 3_600),),
        "reaction": (RateLimit(60, 600),),
    })
    # Distinct members' reports that hide a post pending review (0: never hide automatically).
    auto_hide_reports: int = 3
    max_page_size: int = 100

    def retry_after(self, action: str, recent: Iterable[datetime], now: datetime) -> int | None:
        times = list(recent)
        waits = [w for limit in self.limits.get(action, ()) if (w := limit.retry_after(times, now))]
        return max(waits) if waits else None

    def longest_window(self, action: str) -> int:
        return max((limit.window_seconds for limit in self.limits.get(action, ())), default=0)
