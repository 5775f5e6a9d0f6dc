"""Community tables: groups, members under pseudonymous handles, posts and replies, reactions,
reports, blocks, the moderators' log and crisis-screen events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app_backend.db import Base, UTCDateTime, utcnow


class CommunityGroup(Base):
    __tablename__ = "community_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(1000), default="")
    kind: Mapped[str] = mapped_column(String(20))  # cancer-type | language | topic
    cancer_type: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(8))
    topic: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommunityMember(Base):
    """A person's community identity: the handle others see, and any moderator mute."""

    __tablename__ = "community_member"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    handle: Mapped[str] = mapped_column(String(30), unique=True)
    muted_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mute_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommunityPost(Base):
    """A post (parent_id null) or a reply. Body is sanitised HTML, inert wherever shown.

    state: visible | hidden (moderator or automatic, pending review) | deleted (a tombstone kept
    only so others' replies stay in place: no body, no author).
    """

    __tablename__ = "community_post"
    __table_args__ = (
        Index("ix_community_post_group_time", "group_id", "created_at"),
        Index("ix_community_post_author_time", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("community_group.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("community_post.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    body_html: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="visible")
    # In the moderators' queue without any open report: hidden by reports, or crisis-flagged.
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    review_reason: Mapped[str | None] = mapped_column(String(20))  # reports | crisis
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CommunityReaction(Base):
    __tablename__ = "community_reaction"

    post_id: Mapped[int] = mapped_column(ForeignKey("community_post.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommunityReport(Base):
    __tablename__ = "community_report"
    __table_args__ = (
        UniqueConstraint("post_id", "reporter_id", name="uq_community_report_once"),
        Index("ix_community_report_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("community_post.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | upheld | dismissed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_by: Mapped[int | None] = mapped_column(Integer)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CommunityBlock(Base):
    """The blocker no longer sees the blocked member's posts; the blocked cannot reply to them."""

    __tablename__ = "community_block"

    blocker_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModerationAction(Base):
    """The moderators' log: who did what to which post or member, and why."""

    __tablename__ = "community_moderation_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    moderator_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(20))  # hide | restore | dismiss | mute | unmute
    target: Mapped[str] = mapped_column(String(80))  # CommunityPost/<id> | User/<id>
    note: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CrisisEvent(Base):
    """A post the crisis screen flagged: what matched, and whether the care team was told."""

    __tablename__ = "community_crisis_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("community_post.id", ondelete="SET NULL"))
    categories: Mapped[list] = mapped_column(JSON)
    matched: Mapped[list] = mapped_column(JSON)
    phrase_list_version: Mapped[int] = mapped_column(Integer)
    care_team_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
