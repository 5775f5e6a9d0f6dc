"""Attachments: bounded, sniffed by content, stored under a random id outside any user-given path."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from sqlalchemy.orm import Session

from app_backend.models.core import new_id
from app_backend.models.telehealth import Attachment, Thread
from app_backend.services.accounts import AccountError
from app_backend.services.telehealth.config import ALLOWED_TYPES, TelehealthConfig

EXTENSIONS = {"application/pdf": {".pdf"}, "image/png": {".png"}, "image/jpeg": {".jpg", ".jpeg"}}
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,118}$")
CHUNK = 64 * 1024


def check_name(name: str | None) -> str:
    """A display name only; hostile names (paths, traversal, control characters) are refused."""
    if not name or not SAFE_NAME.match(name) or ".." in name:
        raise AccountError(422, "file name must be 1-120 letters, digits, spaces or ._()- without paths")
    return name


def detect_type(head: bytes) -> str | None:
    for content_type, signatures in ALLOWED_TYPES.items():
        if any(head.startswith(s) for s in signatures):
            return content_type
    return None


def store(session: Session, config: TelehealthConfig, thread: Thread, user_id: int, name: str | None, stream) -> Attachment:
    display = check_name(name)
    config.attachment_dir.mkdir(parents=True, exist_ok=True)
    attachment_id = new_id()
    target = config.attachment_dir / attachment_id  # a UUID: nothing of the upload names the file
    partial = target.with_suffix(".part")
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with partial.open("wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > config.attachment_max_bytes:
                    raise AccountError(413, f"attachments are limited to {config.attachment_max_bytes} bytes")
                if len(head) < 16:
                    head = (head + chunk)[:16]
                digest.update(chunk)
                out.write(chunk)
        content_type = detect_type(head)
        if size == 0 or content_type is None:
            raise AccountError(415, "attachments must be PDF, PNG or JPEG files")
        if Path(display).suffix.lower() not in EXTENSIONS[content_type]:
            raise AccountError(415, f"the file's content is {content_type}, which its name does not say")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    attachment = Attachment(id=attachment_id, thread_id=thread.id, content_type=content_type, size=size,
                            sha256=digest.hexdigest(), display_name=display, uploaded_by=user_id)
    session.add(attachment)
    session.flush()
    return attachment


def path_of(config: TelehealthConfig, attachment: Attachment) -> Path:
    return config.attachment_dir / attachment.id


def erase(config: TelehealthConfig, attachment_ids: list[str]) -> int:
    removed = 0
    for attachment_id in attachment_ids:
        path = config.attachment_dir / attachment_id
        if path.exists():
            path.unlink()
            removed += 1
    return removed
