"""Members: a pseudonymous handle per person, blocks between members, moderator mutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app_backend.db import utcnow
from app_backend.models import User
from app_backend.models.community import CommunityBlock, CommunityMember, ModerationAction
from app_backend.services.community.errors import CommunityError
from app_backend.services.community.handles import HandleError, check_handle, generate_handle

MEMBER_ROLES = {"patient", "caregiver"}
MODERATOR_ROLES = {"moderator", "admin"}
MAX_MUTE_HOURS = 24 * 90


def member_for(session: Session, user: User) -> CommunityMember:
    """The caller's community identity, created with a generated handle on first use."""
    member = session.get(CommunityMember, user.id)
    if member is not None:
        return member
    for _ in range(20):
        handle = generate_handle()
        if session.scalar(select(CommunityMember.user_id).where(CommunityMember.handle == handle)) is None:
            member = CommunityMember(user_id=user.id, handle=handle, created_at=utcnow())
            session.add(member)
            session.flush()
            return member
    raise CommunityError(503, "could not pick a free handle: try again")


def set_handle(session: Session, user: User, handle: str) -> CommunityMember:
    try:
        handle = check_handle(handle)
    except HandleError as exc:
        raise CommunityError(422, str(exc)) from exc
    member = member_for(session, user)
    taken = session.scalar(select(CommunityMember.user_id).where(CommunityMember.handle == handle))
    if taken is not None and taken != user.id:
        raise CommunityError(409, f"handle {handle} is taken: choose another")
    member.handle = handle
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent claim of the same handle
        raise CommunityError(409, f"handle {handle} is taken: choose another") from exc
    return member


def member_by_handle(session: Session, handle: str) -> CommunityMember:
    member = session.scalar(select(CommunityMember).where(CommunityMember.handle == handle.lower()))
    if member is None:
        raise CommunityError(404, f"no member has the handle {handle}")
    return member


def handles_for(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = session.execute(select(CommunityMember.user_id, CommunityMember.handle)
                           .where(CommunityMember.user_id.in_(user_ids)))
    return dict(rows.all())


def block(session: Session, user: User, handle: str) -> CommunityMember:
    target = member_by_handle(session, handle)
    if target.user_id == user.id:
        raise CommunityError(422, "you cannot block yourself")
    if session.get(CommunityBlock, (user.id, target.user_id)) is None:
        session.add(CommunityBlock(blocker_id=user.id, blocked_id=target.user_id, created_at=utcnow()))
        session.flush()
    return target


def unblock(session: Session, user: User, handle: str) -> None:
    target = member_by_handle(session, handle)
    session.execute(delete(CommunityBlock).where(CommunityBlock.blocker_id == user.id,
                                                 CommunityBlock.blocked_id == target.user_id))
    session.flush()


def blocked_either_way(session: Session, user_id: int) -> set[int]:
    """Members whose content the user does not see: those they blocked and those who blocked them."""
    rows = session.execute(select(CommunityBlock.blocker_id, CommunityBlock.blocked_id).where(
        or_(CommunityBlock.blocker_id == user_id, CommunityBlock.blocked_id == user_id)))
    return {blocked if blocker == user_id else blocker for blocker, blocked in rows}


def ensure_not_muted(member: CommunityMember, now: datetime) -> None:
    if member.muted_until is not None and member.muted_until > now:
        raise CommunityError(
            403, f"a moderator has paused your posting until {member.muted_until:%Y-%m-%d %H:%M} UTC"
        )


def mute(session: Session, moderator: User, handle: str, hours: int, reason: str) -> CommunityMember:
    if not 1 <= hours <= MAX_MUTE_HOURS:
        raise CommunityError(422, f"hours must be between 1 and {MAX_MUTE_HOURS}")
    target = member_by_handle(session, handle)
    target.muted_until = utcnow() + timedelta(hours=hours)
    target.mute_reason = reason[:300]
    session.add(ModerationAction(moderator_id=moderator.id, action="mute", target=f"User/{target.user_id}",
                                 note=reason[:500], at=utcnow()))
    session.flush()
    return target


def unmute(session: Session, moderator: User, handle: str) -> CommunityMember:
    target = member_by_handle(session, handle)
    target.muted_until, target.mute_reason = None, None
    session.add(ModerationAction(moderator_id=moderator.id, action="unmute", target=f"User/{target.user_id}",
                                 at=utcnow()))
    session.flush()
    return target
