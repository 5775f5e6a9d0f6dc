"""Reports and the moderators' queue: members report, moderators hide, restore or dismiss."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app_backend.db import utcnow
from app_backend.models import User
from app_backend.models.community import CommunityPost, CommunityReport, ModerationAction
from app_backend.services.community import moderation
from app_backend.services.community.errors import CommunityError
from app_backend.services.community.members import handles_for, member_for
from app_backend.services.community.policy import CommunityPolicy
from app_backend.services.community.posts import DELETED, visible_post


def report(session: Session, user: User, post_id: int, reason: str, note: str,
           policy: CommunityPolicy) -> CommunityReport:
    if reason not in moderation.REPORT_REASONS:
        raise CommunityError(422, f"reason must be one of {', '.join(moderation.REPORT_REASONS)}")
    now = utcnow()
    member_for(session, user)
    post = visible_post(session, user, post_id)
    if post.author_id == user.id:
        raise CommunityError(422, "you cannot report your own post: delete it instead")
    if post.state == DELETED:
        raise CommunityError(409, "this post was deleted")
    existing = session.scalar(select(CommunityReport).where(
        CommunityReport.post_id == post.id, CommunityReport.reporter_id == user.id))
    if existing is not None:
        return existing  # reporting twice changes nothing and is not an error
    since = now - timedelta(seconds=policy.longest_window("report"))
    recent = list(session.scalars(select(CommunityReport.created_at).where(
        CommunityReport.reporter_id == user.id, CommunityReport.created_at > since)))
    wait = policy.retry_after("report", recent, now)
    if wait is not None:
        raise CommunityError(429, f"too many reports in a short time: try again in {wait} seconds", wait)
    entry = CommunityReport(post_id=post.id, reporter_id=user.id, reason=reason, note=note[:500],
                            status=moderation.REPORT_OPEN, created_at=now)
    session.add(entry)
    session.flush()
    reporters = session.scalar(select(func.count(func.distinct(CommunityReport.reporter_id))).where(
        CommunityReport.post_id == post.id, CommunityReport.status == moderation.REPORT_OPEN))
    if moderation.should_auto_hide(post.state, reporters, policy.auto_hide_reports):
        post.state, post.needs_review, post.review_reason = moderation.HIDDEN, True, "reports"
        session.flush()
    return entry


def queue(session: Session, limit: int, offset: int) -> list[dict]:
    """Posts awaiting a moderator: open reports, or hidden by reports, or crisis-flagged."""
    open_reports = select(CommunityReport.post_id).where(CommunityReport.status == moderation.REPORT_OPEN)
    posts = list(session.scalars(
        select(CommunityPost).where(CommunityPost.state != DELETED,
                                    or_(CommunityPost.needs_review, CommunityPost.id.in_(open_reports)))
        .order_by(CommunityPost.created_at, CommunityPost.id).offset(offset).limit(limit)))
    ids = [p.id for p in posts]
    reports: dict[int, list[dict]] = {i: [] for i in ids}
    if ids:
        for r in session.scalars(select(CommunityReport).where(
                CommunityReport.post_id.in_(ids), CommunityReport.status == moderation.REPORT_OPEN)
                .order_by(CommunityReport.created_at)):
            reports[r.post_id].append({"reason": r.reason, "note": r.note, "at": r.created_at.isoformat()})
    handles = handles_for(session, {p.author_id for p in posts if p.author_id})
    return [{
        "post_id": p.id, "group_id": p.group_id, "parent_id": p.parent_id, "author": handles.get(p.author_id),
        "body_html": p.body_html, "state": p.state, "review_reason": p.review_reason,
        "created_at": p.created_at.isoformat(), "open_reports": reports[p.id],
    } for p in posts]


def moderate(session: Session, moderator: User, post_id: int, action: str, note: str) -> CommunityPost:
    post = session.get(CommunityPost, post_id)
    if post is None or post.state == DELETED:
        raise CommunityError(404, f"post {post_id} was not found")
    try:
        new_state, report_status = moderation.apply(action, post.state)
    except moderation.ModerationError as exc:
        raise CommunityError(409, str(exc)) from exc
    now = utcnow()
    post.state, post.needs_review, post.review_reason = new_state, False, None
    if report_status:
        session.execute(update(CommunityReport).where(
            CommunityReport.post_id == post.id, CommunityReport.status == moderation.REPORT_OPEN
        ).values(status=report_status, resolved_by=moderator.id, resolved_at=now))
    session.add(ModerationAction(moderator_id=moderator.id, action=action, target=f"CommunityPost/{post.id}",
                                 note=note[:500], at=now))
    session.flush()
    return post
