"""Erasure: everything a person put into the community goes, when they ask or when their account
is erased. The core's erasure calls `erase_member_content(session, user_id)` in its transaction.
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from app_backend.models.community import (
    CommunityBlock,
    CommunityMember,
    CommunityPost,
    CommunityReaction,
    CommunityReport,
    CrisisEvent,
    ModerationAction,
)
from app_backend.services.community.posts import remove_post


def erase_member_content(session: Session, user_id: int) -> dict[str, int]:
    """Remove the person's posts and replies (a post others replied to becomes an empty, anonymous
    tombstone), reactions, reports, blocks, crisis events, mutes and handle. Returns counts."""
    authored = list(session.scalars(select(CommunityPost).where(CommunityPost.author_id == user_id)
                                    .order_by(CommunityPost.parent_id.is_(None))))  # replies first
    for post in authored:
        remove_post(session, post)
    counts = {"posts": len(authored)}
    for name, statement in (
        ("reactions", delete(CommunityReaction).where(CommunityReaction.user_id == user_id)),
        ("reports", delete(CommunityReport).where(CommunityReport.reporter_id == user_id)),
        ("blocks", delete(CommunityBlock).where(or_(CommunityBlock.blocker_id == user_id,
                                                    CommunityBlock.blocked_id == user_id))),
        ("crisis_events", delete(CrisisEvent).where(CrisisEvent.user_id == user_id)),
        ("moderation_notes", delete(ModerationAction).where(ModerationAction.target == f"User/{user_id}")),
        ("member", delete(CommunityMember).where(CommunityMember.user_id == user_id)),
    ):
        counts[name] = session.execute(statement).rowcount
    session.flush()
    return counts
