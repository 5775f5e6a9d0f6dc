"""Telehealth messaging: threads with the care team, attachments, read receipts, the clinician
inbox, escalation of unanswered messages, and real-time delivery over WebSocket."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime
from functools import partial
from typing import Annotated

from fastapi import (
    APIRouter,
    Depends,
    File,
    HTTPException,
    Query,
    Request,
    UploadFile,
    WebSocket,
    WebSocketDisconnect,
)
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from app_backend.api.deps import SessionDep, audit_listed, check_patient_access, require_roles
from app_backend.db import utcnow
from app_backend.models import Role, User
from app_backend.models.telehealth import Attachment, Message, Thread
from app_backend.security import ACCESS, TokenError
from app_backend.services import accounts
from app_backend.services.access import access_purpose, accessible_patient_ids
from app_backend.services.telehealth import MODULE, attachments, messaging
from app_backend.services.telehealth import config as telehealth_config
from app_backend.services.telehealth.hub import Hub
from app_backend.services.telehealth.relay import RedisRelay

router = APIRouter(prefix="/telehealth", tags=["telehealth"])
CareSide = Annotated[User, Depends(require_roles(Role.patient, Role.caregiver, Role.clinician))]
Staff = Annotated[User, Depends(require_roles(Role.admin, Role.service))]
WS_AUTH_SECONDS = 10
PATIENT_SIDE = (Role.patient, Role.caregiver)


def get_config(request: Request) -> telehealth_config.TelehealthConfig:
    return _config(request.app)


def _config(app) -> telehealth_config.TelehealthConfig:
    if getattr(app.state, "telehealth", None) is None:
        app.state.telehealth = telehealth_config.load()
    return app.state.telehealth


_HUB_LOCK = threading.Lock()


def get_hub(app) -> Hub:
    """This worker's hub, and with TELEHEALTH_REDIS_URL set, its relay to the other workers."""
    with _HUB_LOCK:
        if getattr(app.state, "telehealth_hub", None) is None:
            config, hub = _config(app), Hub()
            if config.redis_url:
                hub.relay = RedisRelay(config.redis_url, partial(_deliver_local, app, hub),
                                       channel=config.relay_channel).start()  # fmt: skip
            app.state.telehealth_hub = hub
        return app.state.telehealth_hub


ConfigDep = Annotated[telehealth_config.TelehealthConfig, Depends(get_config)]


class NewThread(BaseModel):
    patient_id: str = Field(min_length=1, max_length=64)
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=5000)


class NewMessage(BaseModel):
    body: str = Field(min_length=1, max_length=5000)
    attachment_id: str | None = Field(default=None, max_length=64)


class Handover(BaseModel):
    assignee_id: int


def _thread(request: Request, session, user: User, thread_id: str) -> Thread:
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise HTTPException(404, f"thread {thread_id} was not found")
    check_patient_access(request, session, user, thread.patient_id, module=MODULE, entity=f"telehealth-thread/{thread.id}")
    return thread


def _thread_json(thread: Thread, unread: int | None = None) -> dict:
    out = {"id": thread.id, "patient_id": thread.patient_id, "subject": thread.subject,
           "assigned_to": thread.assigned_to, "awaiting": thread.awaiting,
           "created_at": thread.created_at.isoformat(), "last_message_at": thread.last_message_at.isoformat(),
           "escalated": thread.escalated_at is not None}
    if unread is not None:
        out["unread"] = unread
    return out


def _message_json(message: Message, receipts: list[dict] | None = None) -> dict:
    return {"id": message.id, "thread_id": message.thread_id, "sender_id": message.sender_id,
            "sender_role": message.sender_role, "body": message.body, "attachment_id": message.attachment_id,
            "sent_at": message.sent_at.isoformat(), "read_by": receipts or []}


def _deliver(request: Request, session, thread: Thread, event: dict) -> None:
    deliver(request.app, session, thread.patient_id, event)


def deliver(app, session, patient_id: str, event: dict, audience: str = "care") -> None:
    """Push a live event about a patient to the connected users who may see it: everyone with
    access to the patient's telehealth (`care`), or the patient and their caregivers (`patient`)."""
    hub = get_hub(app)
    if hub.relay is not None and hub.relay.publish(patient_id, event, audience):
        return  # every worker, this one included, delivers it to its own connections
    hub.publish(_recipients(session, hub, patient_id, audience), event)


def _deliver_local(app, hub: Hub, patient_id: str, event: dict, audience: str) -> None:
    """An event relayed from any worker, for this worker's connections (on the relay's thread)."""
    with app.state.session_factory() as session:
        hub.publish(_recipients(session, hub, patient_id, audience), event)


def _recipients(session, hub: Hub, patient_id: str, audience: str) -> set[int]:
    """The connected users who may see this patient's telehealth events, decided now."""
    roles = PATIENT_SIDE if audience == "patient" else None
    allowed = set()
    for user_id in hub.connected_users():
        user = session.get(User, user_id)
        if user is None or not user.is_active or (roles is not None and user.role not in roles):
            continue
        if access_purpose(session, user, patient_id, MODULE):
            allowed.add(user_id)
    return allowed


@router.post("/threads", status_code=201)
def create_thread(body: NewThread, request: Request, session: SessionDep, user: CareSide) -> dict:
    check_patient_access(request, session, user, body.patient_id, module=MODULE, entity="telehealth-thread")
    thread = messaging.start_thread(session, user, body.patient_id, body.subject)
    message = messaging.post(session, thread, user, body.body)
    session.commit()
    _deliver(request, session, thread, {"type": "message", "message": _message_json(message)})
    return {"thread": _thread_json(thread), "message": _message_json(message)}


@router.get("/threads")
def list_threads(request: Request, session: SessionDep, user: CareSide,
                 patient_id: Annotated[str | None, Query(max_length=64)] = None) -> list[dict]:
    if patient_id is not None:
        check_patient_access(request, session, user, patient_id, module=MODULE, entity="telehealth-thread")
        patients = [patient_id]
    else:
        patients = accessible_patient_ids(session, user, MODULE)
    threads = messaging.threads_for(session, patients)
    listed = [_thread_json(t, messaging.unread_count(session, user, t)) for t in threads]
    if patient_id is None:
        audit_listed(request, session, user, (t.patient_id for t in threads), entity="telehealth-thread")
    return listed


@router.get("/threads/{thread_id}/messages")
def read_messages(thread_id: str, request: Request, session: SessionDep, user: CareSide,
                  after: datetime | None = None, before: datetime | None = None,
                  limit: Annotated[int, Query(ge=1, le=200)] = 100) -> dict:
    """Newest `limit` messages by default; `after` polls for newer ones, `before` scrolls back."""
    thread = _thread(request, session, user, thread_id)
    batch = messaging.messages(session, thread, after=after, before=before, limit=limit)
    messaging.mark_read(session, user, batch)
    session.commit()
    receipts = messaging.receipts(session, batch)
    return {"thread": _thread_json(thread), "messages": [_message_json(m, receipts[m.id]) for m in batch]}


@router.post("/threads/{thread_id}/messages", status_code=201)
def post_message(thread_id: str, body: NewMessage, request: Request, session: SessionDep, user: CareSide) -> dict:
    thread = _thread(request, session, user, thread_id)
    if body.attachment_id is not None:
        attachment = session.get(Attachment, body.attachment_id)
        if attachment is None or attachment.thread_id != thread.id:
            raise HTTPException(422, "attachment_id must name a file uploaded to this thread")
    message = messaging.post(session, thread, user, body.body, body.attachment_id)
    session.commit()
    _deliver(request, session, thread, {"type": "message", "message": _message_json(message)})
    return _message_json(message)


@router.post("/threads/{thread_id}/attachments", status_code=201)
def upload(thread_id: str, request: Request, session: SessionDep, user: CareSide, config: ConfigDep,
           file: Annotated[UploadFile, File()]) -> dict:
    thread = _thread(request, session, user, thread_id)
    stored = attachments.store(session, config, thread, user.id, file.filename, file.file)
    session.commit()
    return {"id": stored.id, "content_type": stored.content_type, "size": stored.size, "name": stored.display_name}


@router.get("/attachments/{attachment_id}")
def download(attachment_id: str, request: Request, session: SessionDep, user: CareSide, config: ConfigDep):
    stored = session.get(Attachment, attachment_id)
    if stored is None:
        raise HTTPException(404, "attachment was not found")
    _thread(request, session, user, stored.thread_id)
    return FileResponse(attachments.path_of(config, stored), media_type=stored.content_type,
                        filename=stored.display_name, headers={"X-Content-Type-Options": "nosniff"})


@router.post("/threads/{thread_id}/handover")
def handover(thread_id: str, body: Handover, request: Request, session: SessionDep,
             user: Annotated[User, Depends(require_roles(Role.clinician))]) -> dict:
    thread = _thread(request, session, user, thread_id)
    assignee = session.get(User, body.assignee_id)
    if assignee is None or assignee.role != Role.clinician or not access_purpose(session, assignee, thread.patient_id, MODULE):
        raise HTTPException(422, "hand over to a clinician of this patient's care team")
    thread.assigned_to = assignee.id
    session.commit()
    return _thread_json(thread)


@router.get("/inbox")
def inbox(session: SessionDep, config: ConfigDep,
          user: Annotated[User, Depends(require_roles(Role.clinician))]) -> list[dict]:
    patients = accessible_patient_ids(session, user, MODULE)
    return messaging.inbox(session, patients, utcnow(), config.response_target_hours)


@router.post("/escalations/run")
def run_escalations(request: Request, session: SessionDep, _staff: Staff) -> dict:
    raised = messaging.escalate_unanswered(session, request.app.state.settings.catalogue_dir, utcnow())
    session.commit()
    return {"escalated": [{"alert_id": a.id, "patient_id": a.patient_id, "thread_id": a.evidence["thread_id"]}
                          for a in raised]}


@router.websocket("/ws")
async def live(websocket: WebSocket) -> None:
    """Send `{"token": "<access token>"}` first; then receive `{"type": "message", ...}` events."""
    await websocket.accept()
    try:
        hello = await asyncio.wait_for(websocket.receive_json(), WS_AUTH_SECONDS)
        user_id = await asyncio.to_thread(_authenticate, websocket.app, str(hello.get("token", "")))
    except (TimeoutError, TokenError, ValueError, AttributeError, WebSocketDisconnect):
        await websocket.close(code=4401, reason="send {\"token\": ...} with a valid access token first")
        return
    hub = get_hub(websocket.app)
    connection = hub.connect(user_id)
    try:
        await websocket.send_json({"type": "ready"})
        receiver = asyncio.create_task(_drain(websocket))
        while not receiver.done():
            getter = asyncio.create_task(connection.queue.get())
            done, _ = await asyncio.wait({getter, receiver}, return_when=asyncio.FIRST_COMPLETED)
            if getter in done:
                await websocket.send_json(getter.result())
            else:
                getter.cancel()
    except WebSocketDisconnect:
        pass
    finally:
        hub.disconnect(connection)


def _authenticate(app, token: str) -> int:
    with app.state.session_factory() as session:
        user = accounts.user_from_token(session, app.state.settings, token, ACCESS)
        if user.role not in (Role.patient, Role.caregiver, Role.clinician):
            raise TokenError("this role has no conversations")
        return user.id


async def _drain(websocket: WebSocket) -> None:
    # Clients do not send after authenticating; reading tells us when they go away.
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        return
