"""One migrated throwaway Airflow installation per test session (see airflow_env.py)."""

from __future__ import annotations

import pytest

from tests.dags.airflow_env import migrate


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow_home")
    return home, migrate(home)
