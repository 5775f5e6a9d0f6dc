"""Suite-wide test settings: every test runs against throwaway stores, never the developer's data/."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"


def pytest_configure(config):
    # Set before any test module imports the code under test, so defaults never point at data/.
    base = Path(tempfile.mkdtemp(prefix="platform-tests-"))
    config._platform_data_root = base
    os.environ.setdefault("PLATFORM_ENV", "test")
    os.environ.setdefault("PSEUDONYM_KEY", "test-only-pseudonym-key")
    os.environ.setdefault("SECRET_KEY", "test-only-token-signing-key-0123456789abcdef")
    os.environ["WAREHOUSE_PATH"] = str(base / "warehouse.duckdb")
    os.environ["SNAPSHOT_DIR"] = str(base / "snapshots")
    os.environ["LANDING_DIR"] = str(base / "landing")
    os.environ["DATABASE_URL"] = f"sqlite:///{base / 'backend.sqlite'}"


def pytest_unconfigure(config):
    base = getattr(config, "_platform_data_root", None)
    if base is not None:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return SHARED_DIR
