"""Groups, posts, replies and reactions: writing (sanitised, rate-limited, crisis-screened),
reading (blocks and moderation respected) and deleting one's own content."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app_backend.db import utcnow
from app_backend.models import User
from app_backend.models.community import CommunityGroup, CommunityPost, CommunityReaction
from app_backend.services.community import crisis
from app_backend.services.community.errors import CommunityError
from app_backend.services.community.members import (
    MODERATOR_ROLES,
    blocked_either_way,
    ensure_not_muted,
    handles_for,
    member_for,
)
from app_backend.services.community.moderation import HIDDEN, VISIBLE
from app_backend.services.community.policy import CommunityPolicy
from app_backend.services.community.safety import handle_crisis
from app_backend.services.community.sanitize import ContentError, plain_text, sanitize_html

DELETED = "deleted"
REACTIONS = ("support", "hug", "thanks", "helpful")


def create_group(session: Session, user: User, **values) -> CommunityGroup:
    if session.scalar(select(CommunityGroup.id).where(CommunityGroup.slug == values["slug"])) is not None:
        raise CommunityError(409, f"a group with slug {values['slug']} exists: choose another")
    group = CommunityGroup(created_by=user.id, created_at=utcnow(), **values)
    session.add(group)
    session.flush()
    return group


def get_group(session: Session, group_id: int) -> CommunityGroup:
    group = session.get(CommunityGroup, group_id)
    if group is None:
        raise CommunityError(404, f"group {group_id} was not found")
    return group


def _enforce_rate_limit(session: Session, policy: CommunityPolicy, action: str, recent: list[datetime],
                        now: datetime) -> None:
    wait = policy.retry_after(action, recent, now)
    if wait is not None:
        raise CommunityError(429, f"you are posting very quickly: try again in {wait} seconds", retry_after=wait)


def _recent_post_times(session: Session, user_id: int, replies: bool, since: datetime) -> list[datetime]:
    kind = CommunityPost.parent_id.is_not(None) if replies else CommunityPost.parent_id.is_(None)
    return list(session.scalars(select(CommunityPost.created_at).where(
        CommunityPost.author_id == user_id, kind, CommunityPost.created_at > since)))


def write(session: Session, user: User, *, group_id: int, body: str, policy: CommunityPolicy,
          parent_id: int | None = None) -> tuple[CommunityPost, dict | None]:
    """A new post (or a reply when parent_id is given). Returns it and, when the crisis screen
    flags it, the crisis resources to show the author at once."""
    now = utcnow()
    group = get_group(session, group_id)
    ensure_not_muted(member_for(session, user), now)
    action = "reply" if parent_id else "post"
    since = now - timedelta(seconds=policy.longest_window(action))
    _enforce_rate_limit(session, policy, action, _recent_post_times(session, user.id, bool(parent_id), since), now)
    if parent_id is not None:
        parent = visible_post(session, user, parent_id)
        if parent.parent_id is not None or parent.group_id != group.id:
            raise CommunityError(422, "reply to a post of this group (replies are not nested)")
        if parent.state != VISIBLE:
            raise CommunityError(409, "this post no longer takes replies")
    try:
        body_html = sanitize_html(body)
    except ContentError as exc:
        raise CommunityError(422, str(exc)) from exc
    post = CommunityPost(group_id=group.id, parent_id=parent_id, author_id=user.id, body_html=body_html,
                         state=VISIBLE, created_at=now)
    session.add(post)
    session.flush()
    result = crisis.screen(plain_text(body_html))
    support = handle_crisis(session, user, post, result, group.language) if result.flagged else None
    return post, support


def visible_post(session: Session, user: User, post_id: int) -> CommunityPost:
    """The post if the caller may see it; 404 otherwise (hidden, deleted or blocked look absent)."""
    post = session.get(CommunityPost, post_id)
    missing = CommunityError(404, f"post {post_id} was not found")
    if post is None or post.state == DELETED and post.parent_id is not None:
        raise missing
    if user.role in MODERATOR_ROLES:
        return post
    if post.state == HIDDEN and post.author_id != user.id:
        raise missing
    if post.author_id is not None and post.author_id in blocked_either_way(session, user.id):
        raise missing
    return post


def list_posts(session: Session, user: User, *, group_id: int | None = None, parent_id: int | None = None,
               limit: int = 20, offset: int = 0) -> list[CommunityPost]:
    """Newest first for a group's posts, oldest first for a thread's replies."""
    query = select(CommunityPost)
    if parent_id is not None:
        query = query.where(CommunityPost.parent_id == parent_id).order_by(CommunityPost.created_at, CommunityPost.id)
    else:
        query = query.where(CommunityPost.group_id == group_id, CommunityPost.parent_id.is_(None)).order_by(
            CommunityPost.created_at.desc(), CommunityPost.id.desc())
    if user.role not in MODERATOR_ROLES:
        hidden_from_me = (CommunityPost.state == HIDDEN) & (
            (CommunityPost.author_id != user.id) | CommunityPost.author_id.is_(None))
        query = query.where(~hidden_from_me)
        blocked = blocked_either_way(session, user.id)
        if blocked:
            query = query.where((CommunityPost.author_id.is_(None)) | CommunityPost.author_id.not_in(blocked))
    if parent_id is not None:
        query = query.where(CommunityPost.state != DELETED)
    return list(session.scalars(query.offset(offset).limit(limit)))


def posts_out(session: Session, user: User, posts: list[CommunityPost]) -> list[dict]:
    ids = [p.id for p in posts]
    handles = handles_for(session, {p.author_id for p in posts if p.author_id})
    reactions: dict[int, Counter] = {i: Counter() for i in ids}
    mine: dict[int, list[str]] = {i: [] for i in ids}
    replies: dict[int, int] = {}
    if ids:
        for post_id, kind, who in session.execute(select(
                CommunityReaction.post_id, CommunityReaction.kind, CommunityReaction.user_id)
                .where(CommunityReaction.post_id.in_(ids))):
            reactions[post_id][kind] += 1
            if who == user.id:
                mine[post_id].append(kind)
        replies = dict(session.execute(
            select(CommunityPost.parent_id, func.count()).where(
                CommunityPost.parent_id.in_(ids), CommunityPost.state == VISIBLE)
            .group_by(CommunityPost.parent_id)).all())
    return [{
        "id": p.id, "group_id": p.group_id, "parent_id": p.parent_id,
        "author": handles.get(p.author_id) if p.author_id and p.state != DELETED else None,
        "is_mine": p.author_id == user.id,
        "body_html": p.body_html if p.state != DELETED else "",
        "state": p.state, "created_at": p.created_at.isoformat(),
        "reactions": dict(reactions[p.id]), "my_reactions": sorted(mine[p.id]),
        "reply_count": replies.get(p.id, 0),
    } for p in posts]


def react(session: Session, user: User, post_id: int, kind: str, policy: CommunityPolicy) -> None:
    if kind not in REACTIONS:
        raise CommunityError(422, f"reaction must be one of {', '.join(REACTIONS)}")
    now = utcnow()
    ensure_not_muted(member_for(session, user), now)
    post = visible_post(session, user, post_id)
    if post.state != VISIBLE:
        raise CommunityError(409, "this post takes no reactions")
    since = now - timedelta(seconds=policy.longest_window("reaction"))
    recent = list(session.scalars(select(CommunityReaction.created_at).where(
        CommunityReaction.user_id == user.id, CommunityReaction.created_at > since)))
    _enforce_rate_limit(session, policy, "reaction", recent, now)
    if session.get(CommunityReaction, (post.id, user.id, kind)) is None:
        try:
            with session.begin_nested():
                session.add(CommunityReaction(post_id=post.id, user_id=user.id, kind=kind, created_at=now))
        except IntegrityError:
            pass  # the same reaction sent twice at once: it is there, which is what was asked


def unreact(session: Session, user: User, post_id: int, kind: str) -> None:
    reaction = session.get(CommunityReaction, (post_id, user.id, kind))
    if reaction is not None:
        session.delete(reaction)
        session.flush()


def remove_post(session: Session, post: CommunityPost) -> None:
    """Delete content for good. A post others replied to stays as a tombstone without body or
    author, so their replies keep their place; anything else goes entirely."""
    has_replies = post.parent_id is None and session.scalar(
        select(func.count()).where(CommunityPost.parent_id == post.id, CommunityPost.state != DELETED)) > 0
    if has_replies:
        post.body_html, post.author_id, post.state = "", None, DELETED
        post.needs_review, post.review_reason = False, None
    else:
        session.delete(post)
    session.flush()


def delete_own(session: Session, user: User, post_id: int) -> None:
    post = session.get(CommunityPost, post_id)
    if post is None or post.author_id != user.id:
        # Someone else's post looks absent: members cannot probe or remove others' content.
        raise CommunityError(404, f"post {post_id} was not found")
    remove_post(session, post)
