"""Retention: landing files and logs are kept for a configured number of days, then deleted.

Raw rows are not touched here: they are the lossless record the marts are rebuilt from, and leave only
through erasure. Retention is measured from each file's modification time against the run's logical
date, so a re-run for the same interval deletes exactly the same files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingestion.errors import IngestionError


@dataclass(frozen=True)
class RetentionPolicy:
    landing_days: int
    log_days: int

    @classmethod
    def from_env(cls) -> RetentionPolicy:
        return cls(
            landing_days=_days("RETENTION_LANDING_DAYS", 365),
            log_days=_days("RETENTION_LOG_DAYS", 90),
        )


def _days(variable: str, default: int) -> int:
    raw = os.environ.get(variable, str(default))
    if not raw.isdigit() or int(raw) < 1:
        raise IngestionError(f"{variable} must be a whole number of days >= 1, not {raw!r}")
    return int(raw)


def default_log_dirs() -> list[Path]:
    """Where the platform writes logs: pipeline run folders, quality results, dbt's and Airflow's logs."""
    from ingestion.pipeline import config

    dirs = [config.runs_dir(), config.quality_dir(), config.dbt_project_dir() / "logs"]
    if os.environ.get("AIRFLOW_HOME"):
        dirs.append(Path(os.environ["AIRFLOW_HOME"]) / "logs")
    return dirs


def expired_files(root: Path, max_age_days: int, now: datetime) -> list[Path]:
    if not root.exists():
        return []
    cutoff = (now - timedelta(days=max_age_days)).timestamp()
    return sorted(p for p in root.rglob("*") if p.is_file() and p.stat().st_mtime < cutoff)


def enforce_retention(
    landing_dir: Path,
    log_dirs: list[Path],
    policy: RetentionPolicy,
    now: datetime | None = None,
) -> dict[str, int]:
    """Delete expired landing files and log files; empty folders left behind go too."""
    now = now or datetime.now(UTC)
    deleted = {"landing": 0, "logs": 0}
    for kind, roots, days in (("landing", [landing_dir], policy.landing_days), ("logs", log_dirs, policy.log_days)):
        for root in roots:
            for path in expired_files(root, days, now):
                path.unlink(missing_ok=True)
                deleted[kind] += 1
            _remove_empty_dirs(root)
    return deleted


def _remove_empty_dirs(root: Path) -> None:
    if not root.exists():
        return
    for directory in sorted((d for d in root.rglob("*") if d.is_dir()), key=lambda d: len(d.parts), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()
