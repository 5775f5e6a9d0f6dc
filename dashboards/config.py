"""Dashboard settings, read from the environment (the only module that reads os.environ)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    snapshot_dir: Path
    backend_url: str
    catalogue_dir: Path
    backend_timeout_s: float
    cache_ttl_s: int


def get_settings() -> Settings:
    """Read every time: cheap, and lets tests point one process at several snapshots."""
    return Settings(
        snapshot_dir=Path(os.environ.get("SNAPSHOT_DIR") or "data/snapshots"),
        backend_url=(os.environ.get("BACKEND_URL") or "http://127.0.0.1:8000").rstrip("/"),
        catalogue_dir=Path(
            os.environ.get("CATALOGUE_DIR") or REPO_ROOT / "dbt_project" / "seeds" / "catalogue"
        ),
        backend_timeout_s=float(os.environ.get("BACKEND_TIMEOUT_S") or 10),
        cache_ttl_s=int(os.environ.get("DASHBOARD_CACHE_TTL_S") or 600),
    )
