"""Fixtures for the loader tests: a throwaway warehouse and small hand-made FHIR resources."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def query(warehouse: Path):
    def run(sql: str, params=None) -> list[tuple]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()
    return run
