"""Resource-library tables: the curated catalogue, each reader's stated preferences and profile,
and what they did with the resources (views, completions, ratings) for recommending."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app_backend.db import Base, UTCDateTime, utcnow


class LibraryResource(Base):
    """One catalogue item with its validation provenance; recommended only while validated and
    before `next_review`."""

    __tablename__ = "library_resource"
    __table_args__ = (Index("ix_library_resource_language_review", "language", "next_review"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    format: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8))
    topics: Mapped[list] = mapped_column(JSON)
    cancer_types: Mapped[list] = mapped_column(JSON, default=list)
    phases: Mapped[list] = mapped_column(JSON, default=list)
    audience: Mapped[list] = mapped_column(JSON)
    validated_by: Mapped[str | None] = mapped_column(String(200))
    validated_on: Mapped[date | None] = mapped_column(Date)
    next_review: Mapped[date | None] = mapped_column(Date)
    # active | retired: a retired item is kept (interactions point at it) but never listed.
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_by: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LibraryPreference(Base):
    """What the reader told us: topics, formats and languages they want, their cancer type and
    where they are in treatment."""

    __tablename__ = "library_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    topics: Mapped[list] = mapped_column(JSON, default=list)
    formats: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    cancer_type: Mapped[str | None] = mapped_column(String(40))
    phase: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LibraryInteraction(Base):
    __tablename__ = "library_interaction"
    __table_args__ = (Index("ix_library_interaction_user_time", "user_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    resource_id: Mapped[str] = mapped_column(
        ForeignKey("library_resource.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # view | complete | rate | save | dismiss
    rating: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
