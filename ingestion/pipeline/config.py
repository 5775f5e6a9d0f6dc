"""Where the pipeline reads and writes: every location comes from the environment, with the
embedded defaults `make demo` and `make pipeline` use (relative to the working directory)."""

from __future__ import annotations

import os
from pathlib import Path

from ingestion.warehouse import warehouse_path

# Variable name -> default. infra/README.md documents the same table.
DEFAULTS = {
    "LANDING_DIR": "data/landing",
    "SNAPSHOT_DIR": "data/snapshots",
    "QUALITY_DIR": "data/quality",
    "PIPELINE_RUNS_DIR": "data/runs",
    "DBT_PROJECT_DIR": str(Path(__file__).resolve().parents[2] / "dbt_project"),
}


def setting(name: str, override: str | os.PathLike | None = None) -> Path:
    """A path setting: the explicit argument, else the environment variable, else the default."""
    return Path(override or os.environ.get(name) or DEFAULTS[name])


def landing_dir(override=None) -> Path:
    return setting("LANDING_DIR", override)


def snapshot_dir(override=None) -> Path:
    return setting("SNAPSHOT_DIR", override)


def quality_dir(override=None) -> Path:
    return setting("QUALITY_DIR", override)


def runs_dir(override=None) -> Path:
    return setting("PIPELINE_RUNS_DIR", override)


def dbt_project_dir(override=None) -> Path:
    return setting("DBT_PROJECT_DIR", override)


def warehouse(override=None) -> Path:
    return warehouse_path(override)
