"""The moderated community: groups by cancer type, language or topic; posts, replies and
reactions under pseudonymous handles; reports, a moderator queue, hide/restore, mutes and blocks.

Patients and caregivers take part; moderators and admins moderate. Posting is rate-limited,
rich text is sanitised before storage, and a post suggesting crisis or self-harm shows its author
crisis resources at once (and alerts their care team only with their consent).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import select

from app_backend.api.deps import SessionDep, require_roles
from app_backend.api.schemas import Strict
from app_backend.models import Role, User
from app_backend.models.community import CommunityGroup
from app_backend.services.community import members, posts, reports
from app_backend.services.community.crisis import crisis_resources
from app_backend.services.community.erasure import erase_member_content
from app_backend.services.community.errors import CommunityError
from app_backend.services.community.policy import CommunityPolicy

router = APIRouter(prefix="/community", tags=["community"])

MemberUser = Annotated[User, Depends(require_roles(Role.patient, Role.caregiver))]
ModeratorUser = Annotated[User, Depends(require_roles(Role.moderator, Role.admin))]
CommunityUser = Annotated[User, Depends(require_roles(Role.patient, Role.caregiver, Role.moderator, Role.admin))]
GroupId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PostId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Handle = Annotated[str, Path(min_length=3, max_length=30, pattern=r"^[A-Za-z0-9_.-]+$")]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=100_000)]
Body = Annotated[str, Field(min_length=1, max_length=10_000)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,59}$")]
Word = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
DEFAULT_POLICY = CommunityPolicy()
# PostgreSQL text cannot hold NUL; refusing it here keeps such input a 422, never a 500.
NO_NUL = r"^[^\x00]*$"
Note = Annotated[str, Field(max_length=500, pattern=NO_NUL)]


def get_policy(request: Request) -> CommunityPolicy:
    # A deployment (or a test) may set app.state.community_policy; otherwise the defaults hold.
    return getattr(request.app.state, "community_policy", None) or DEFAULT_POLICY


PolicyDep = Annotated[CommunityPolicy, Depends(get_policy)]


def _fail(exc: CommunityError):
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    raise HTTPException(exc.status_code, exc.message, headers=headers) from exc


class GroupIn(Strict):
    slug: Slug
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=NO_NUL)]
    description: Annotated[str, Field(max_length=1000, pattern=NO_NUL)] = ""
    kind: Literal["cancer-type", "language", "topic"]
    cancer_type: Word | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] | None = None
    topic: Word | None = None


class GroupOut(BaseModel):
    id: int
    slug: str
    name: str
    description: str
    kind: str
    cancer_type: str | None
    language: str | None
    topic: str | None


class PostIn(Strict):
    body: Body


class PostOut(BaseModel):
    id: int
    group_id: int
    parent_id: int | None
    author: str | None
    is_mine: bool
    body_html: str
    state: str
    created_at: str
    reactions: dict[str, int]
    my_reactions: list[str]
    reply_count: int


class WrittenOut(BaseModel):
    post: PostOut
    # Present when the post suggests crisis or self-harm: show it to the author at once.
    crisis_support: dict | None = None


class ThreadOut(BaseModel):
    post: PostOut
    replies: list[PostOut]


class ReportIn(Strict):
    reason: Literal["spam", "abuse", "misinformation", "privacy", "self-harm", "other"]
    note: Note = ""


class ModerationIn(Strict):
    action: Literal["hide", "restore", "dismiss"]
    note: Note = ""


class MuteIn(Strict):
    hours: Annotated[int, Field(ge=1, le=members.MAX_MUTE_HOURS)]
    reason: Annotated[str, Field(min_length=1, max_length=300, pattern=NO_NUL)]


class HandleIn(Strict):
    handle: Annotated[str, Field(min_length=3, max_length=30)]


class MeOut(BaseModel):
    handle: str
    muted_until: str | None


def _group_out(group: CommunityGroup) -> dict:
    return {c: getattr(group, c) for c in GroupOut.model_fields}


@router.get("/crisis-resources")
def read_crisis_resources(user: CommunityUser,
                          language: Annotated[str | None, Query(pattern=r"^[a-z]{2}$")] = None) -> dict:
    """Crisis lines and the emergency number, in the given language (English when not covered):
    for the app's "get help now" screen; posts flagged by the crisis screen carry the same."""
    return crisis_resources(language)


@router.get("/groups", response_model=list[GroupOut])
def list_groups(user: CommunityUser, session: SessionDep, limit: Limit = 100, offset: Offset = 0,
                language: Annotated[str | None, Query(max_length=2, pattern=NO_NUL)] = None,
                cancer_type: Annotated[str | None, Query(max_length=40, pattern=NO_NUL)] = None):
    query = select(CommunityGroup).order_by(CommunityGroup.name)
    if language:
        query = query.where(CommunityGroup.language == language)
    if cancer_type:
        query = query.where(CommunityGroup.cancer_type == cancer_type)
    return [_group_out(g) for g in session.scalars(query.offset(offset).limit(limit))]


@router.post("/groups", response_model=GroupOut, status_code=status.HTTP_201_CREATED)
def create_group(body: GroupIn, moderator: ModeratorUser, session: SessionDep):
    try:
        group = posts.create_group(session, moderator, **body.model_dump())
    except CommunityError as exc:
        _fail(exc)
    session.commit()
    return _group_out(group)


def _me_out(member) -> dict:
    return {"handle": member.handle,
            "muted_until": member.muted_until.isoformat() if member.muted_until else None}


@router.get("/me", response_model=MeOut)
def read_me(user: MemberUser, session: SessionDep):
    """The caller's pseudonymous handle (created on first use) and any mute."""
    member = members.member_for(session, user)
    session.commit()
    return _me_out(member)


@router.put("/me/handle", response_model=MeOut)
def change_handle(body: HandleIn, user: MemberUser, session: SessionDep):
    try:
        member = members.set_handle(session, user, body.handle)
    except CommunityError as exc:
        _fail(exc)
    session.commit()
    return _me_out(member)


@router.delete("/me/content")
def delete_my_content(user: MemberUser, session: SessionDep) -> dict:
    """Delete everything the caller wrote or did in the community, and their handle."""
    counts = erase_member_content(session, user.id)
    session.commit()
    return counts


@router.get("/groups/{group_id}/posts", response_model=list[PostOut])
def group_posts(group_id: GroupId, user: CommunityUser, session: SessionDep, limit: Limit = 20,
                offset: Offset = 0):
    try:
        posts.get_group(session, group_id)
    except CommunityError as exc:
        _fail(exc)
    found = posts.list_posts(session, user, group_id=group_id, limit=limit, offset=offset)
    return posts.posts_out(session, user, found)


def _written(session, user, post, support) -> dict:
    session.commit()
    return {"post": posts.posts_out(session, user, [post])[0], "crisis_support": support}


@router.post("/groups/{group_id}/posts", response_model=WrittenOut, status_code=status.HTTP_201_CREATED)
def write_post(group_id: GroupId, body: PostIn, user: MemberUser, session: SessionDep, policy: PolicyDep):
    try:
        post, support = posts.write(session, user, group_id=group_id, body=body.body, policy=policy)
    except CommunityError as exc:
        _fail(exc)
    return _written(session, user, post, support)


@router.get("/posts/{post_id}", response_model=ThreadOut)
def read_thread(post_id: PostId, user: CommunityUser, session: SessionDep, limit: Limit = 100,
                offset: Offset = 0):
    try:
        post = posts.visible_post(session, user, post_id)
    except CommunityError as exc:
        _fail(exc)
    replies = posts.list_posts(session, user, parent_id=post.id, limit=limit, offset=offset)
    return {"post": posts.posts_out(session, user, [post])[0], "replies": posts.posts_out(session, user, replies)}


@router.post("/posts/{post_id}/replies", response_model=WrittenOut, status_code=status.HTTP_201_CREATED)
def write_reply(post_id: PostId, body: PostIn, user: MemberUser, session: SessionDep, policy: PolicyDep):
    try:
        parent = posts.visible_post(session, user, post_id)
        post, support = posts.write(session, user, group_id=parent.group_id, body=body.body, policy=policy,
                                    parent_id=parent.id)
    except CommunityError as exc:
        _fail(exc)
    return _written(session, user, post, support)


@router.delete("/posts/{post_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_post(post_id: PostId, user: MemberUser, session: SessionDep) -> Response:
    """Delete one of the caller's own posts or replies."""
    try:
        posts.delete_own(session, user, post_id)
    except CommunityError as exc:
        _fail(exc)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


ReactionKind = Annotated[Literal["support", "hug", "thanks", "helpful"], Path()]


@router.put("/posts/{post_id}/reactions/{kind}", status_code=status.HTTP_204_NO_CONTENT)
def add_reaction(post_id: PostId, kind: ReactionKind, user: MemberUser, session: SessionDep,
                 policy: PolicyDep) -> Response:
    try:
        posts.react(session, user, post_id, kind, policy)
    except CommunityError as exc:
        _fail(exc)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/posts/{post_id}/reactions/{kind}", status_code=status.HTTP_204_NO_CONTENT)
def remove_reaction(post_id: PostId, kind: ReactionKind, user: MemberUser, session: SessionDep) -> Response:
    posts.unreact(session, user, post_id, kind)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/posts/{post_id}/reports", status_code=status.HTTP_201_CREATED)
def report_post(post_id: PostId, body: ReportIn, user: MemberUser, session: SessionDep,
                policy: PolicyDep) -> dict:
    """Report a post to the moderators. Enough distinct reports hide it until reviewed."""
    try:
        entry = reports.report(session, user, post_id, body.reason, body.note, policy)
    except CommunityError as exc:
        _fail(exc)
    session.commit()
    return {"report_id": entry.id, "status": entry.status}


@router.get("/moderation/queue")
def moderation_queue(moderator: ModeratorUser, session: SessionDep, limit: Limit = 50,
                     offset: Offset = 0) -> list[dict]:
    """Posts awaiting review: reported, hidden by reports, or flagged by the crisis screen."""
    return reports.queue(session, limit, offset)


@router.post("/moderation/posts/{post_id}", response_model=PostOut)
def moderate_post(post_id: PostId, body: ModerationIn, moderator: ModeratorUser, session: SessionDep):
    """Hide, restore, or dismiss the reports on a post; every decision is logged."""
    try:
        post = reports.moderate(session, moderator, post_id, body.action, body.note)
    except CommunityError as exc:
        _fail(exc)
    session.commit()
    return posts.posts_out(session, moderator, [post])[0]


@router.post("/moderation/members/{handle}/mute", response_model=MeOut)
def mute_member(handle: Handle, body: MuteIn, moderator: ModeratorUser, session: SessionDep):
    try:
        member = members.mute(session, moderator, handle, body.hours, body.reason)
    except CommunityError as exc:
        _fail(exc)
    session.commit()
    return _me_out(member)


@router.delete("/moderation/members/{handle}/mute", response_model=MeOut)
def unmute_member(handle: Handle, moderator: ModeratorUser, session: SessionDep):
    try:
        member = members.unmute(session, moderator, handle)
    except CommunityError as exc:
        _fail(exc)
    session.commit()
    return _me_out(member)


@router.put("/blocks/{handle}", status_code=status.HTTP_204_NO_CONTENT)
def block_member(handle: Handle, user: MemberUser, session: SessionDep) -> Response:
    """Stop seeing a member's posts (and they stop seeing the caller's)."""
    try:
        members.block(session, user, handle)
    except CommunityError as exc:
        _fail(exc)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/blocks/{handle}", status_code=status.HTTP_204_NO_CONTENT)
def unblock_member(handle: Handle, user: MemberUser, session: SessionDep) -> Response:
    try:
        members.unblock(session, user, handle)
    except CommunityError as exc:
        _fail(exc)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
