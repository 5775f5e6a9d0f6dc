"""Settings, read once from the environment (twelve-factor): nothing else reads os.environ."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which one and what to do."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    database_url: str = "sqlite:///data/backend.sqlite"
    secret_key: str = field(default="", repr=False)
    access_token_minutes: int = 15
    refresh_token_days: int = 7
    # Login throttling: this many failed attempts per account (or per client address) in the window.
    login_max_failures: int = 5
    login_window_seconds: int = 900
    max_request_bytes: int = 1_048_576
    max_import_bytes: int = 10_485_760
    catalogue_dir: Path = REPO_ROOT / "dbt_project" / "seeds" / "catalogue"
    export_dir: Path = Path("data/bulk_exports")
    export_retention_hours: int = 24
    # The pipeline's landing zone: uploaded device files wait there for the next ingestion run.
    landing_dir: Path = Path("data/landing")
    public_base_url: str = ""
    cors_origins: tuple[str, ...] = ()
    # Shown in urgent guidance to patients; 112 reaches emergency services across the EU.
    emergency_number: str = "112"
    # Uvicorn worker processes for `serve` (uvicorn's own variable; `--workers` overrides it).
    web_concurrency: int = 1

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


def load_settings() -> Settings:
    environment = os.environ.get("PLATFORM_ENV", "development").strip().lower()
    secret_key = os.environ.get("SECRET_KEY", "")
    if not secret_key:
        if environment == "production":
            raise ConfigError("SECRET_KEY is required in production: set it to 32+ random bytes")
        # Development and tests: a per-process key, so tokens never outlive the process by accident.
        secret_key = secrets.token_urlsafe(32)
    elif len(secret_key) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters long")
    catalogue = os.environ.get("CATALOGUE_DIR")
    origins = os.environ.get("CORS_ORIGINS", "")
    return Settings(
        environment=environment,
        database_url=os.environ.get("DATABASE_URL") or Settings.database_url,
        secret_key=secret_key,
        access_token_minutes=_int("ACCESS_TOKEN_MINUTES", 15),
        refresh_token_days=_int("REFRESH_TOKEN_DAYS", 7),
        login_max_failures=_int("LOGIN_MAX_FAILURES", 5),
        login_window_seconds=_int("LOGIN_WINDOW_SECONDS", 900),
        max_request_bytes=_int("MAX_REQUEST_BYTES", 1_048_576),
        max_import_bytes=_int("MAX_IMPORT_BYTES", 10_485_760),
        catalogue_dir=Path(catalogue) if catalogue else Settings.catalogue_dir,
        export_dir=Path(os.environ.get("EXPORT_DIR") or Settings.export_dir),
        export_retention_hours=_int("EXPORT_RETENTION_HOURS", 24),
        landing_dir=Path(os.environ.get("LANDING_DIR") or Settings.landing_dir),
        public_base_url=os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
        cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        emergency_number=os.environ.get("EMERGENCY_NUMBER", "112"),
        web_concurrency=_int("WEB_CONCURRENCY", 1),
    )


@lru_cache
def get_settings() -> Settings:
    return load_settings()
