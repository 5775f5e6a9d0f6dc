"""Seed the community for a demo from the synthetic cohort's app/community_posts.json.

Seed posts have no account behind them, so they are stored without an author (shown without a
handle). Bodies go through the same sanitiser as members' posts. A group already present (same
slug) is left alone with its posts, so loading twice changes nothing.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app_backend.models.community import CommunityGroup, CommunityPost
from app_backend.services.community.sanitize import sanitize_html


def _body(title: str | None, text: str) -> str:
    parts = [f"<p><strong>{html.escape(title)}</strong></p>"] if title else []
    parts.append(f"<p>{html.escape(text)}</p>")
    return sanitize_html("".join(parts))


def load_seed_file(session: Session, path: Path) -> dict[str, int]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    counts = {"groups": 0, "posts": 0, "replies": 0}
    groups: dict[str, int] = {}
    for raw in data.get("groups", []):
        slug = str(raw["id"])[:60].lower()
        if session.scalar(select(CommunityGroup.id).where(CommunityGroup.slug == slug)) is not None:
            continue
        kind = "topic" if raw.get("topic") else ("cancer-type" if raw.get("cancer_type") else "language")
        group = CommunityGroup(slug=slug, name=str(raw["name"])[:120], description=str(raw.get("description", ""))[:1000],
                               kind=kind, cancer_type=raw.get("cancer_type"), language=raw.get("language"),
                               topic=raw.get("topic"))
        session.add(group)
        session.flush()
        groups[raw["id"]] = group.id
        counts["groups"] += 1
    for raw in data.get("posts", []):
        group_id = groups.get(raw["group_id"])
        if group_id is None:
            continue
        post = CommunityPost(group_id=group_id, author_id=None, body_html=_body(raw.get("title"), raw["body"]),
                             state="visible", created_at=datetime.fromisoformat(raw["created_at"]))
        session.add(post)
        session.flush()
        counts["posts"] += 1
        for reply in raw.get("replies", []):
            session.add(CommunityPost(group_id=group_id, parent_id=post.id, author_id=None,
                                      body_html=_body(None, reply["body"]), state="visible",
                                      created_at=datetime.fromisoformat(reply["created_at"])))
            counts["replies"] += 1
    session.flush()
    return counts
