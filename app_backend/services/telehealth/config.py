"""Telehealth settings, from the environment (see app_backend/README.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from app_backend.config import ConfigError

# Attachments are checked by their first bytes, never by the name or the declared type.
ALLOWED_TYPES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


@dataclass(frozen=True)
class TelehealthConfig:
    attachment_dir: Path = Path("data/attachments")
    attachment_max_bytes: int = 5 * 1024 * 1024
    video_base_url: str = "https://video.survivorship-platform.org/room"
    # Hours within which the care team aims to answer a patient's message (shown in the inbox).
    response_target_hours: int = 24
    reminder_lead_hours: int = 24
    # With several backend workers, live events cross between them through Redis pub/sub.
    redis_url: str | None = None
    relay_channel: str = "telehealth-events"


def _positive(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} must be a whole number >= 1, got {raw!r}")
    return int(raw)


def load() -> TelehealthConfig:
    base = os.environ.get("VIDEO_BASE_URL", TelehealthConfig.video_base_url).rstrip("/")
    if not base.startswith("https://") and os.environ.get("PLATFORM_ENV") == "production":
        raise ConfigError("VIDEO_BASE_URL must be an https:// address in production")
    return TelehealthConfig(
        attachment_dir=Path(os.environ.get("ATTACHMENT_DIR") or TelehealthConfig.attachment_dir),
        attachment_max_bytes=_positive("ATTACHMENT_MAX_BYTES", TelehealthConfig.attachment_max_bytes),
        video_base_url=base,
        response_target_hours=_positive("MESSAGE_RESPONSE_TARGET_HOURS", 24),
        reminder_lead_hours=_positive("APPOINTMENT_REMINDER_HOURS", 24),
        redis_url=os.environ.get("TELEHEALTH_REDIS_URL") or None,
    )
