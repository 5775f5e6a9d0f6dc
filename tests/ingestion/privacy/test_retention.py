import os
from datetime import UTC, datetime, timedelta

import pytest

from ingestion.errors import IngestionError
from ingestion.privacy.retention import RetentionPolicy, enforce_retention

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _file(path, age_days):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    stamp = (NOW - timedelta(days=age_days)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_expired_landing_files_and_logs_go_and_recent_ones_stay(tmp_path):
    old_landing = _file(tmp_path / "landing/devices/csv/patient=p1/old.csv", 400)
    new_landing = _file(tmp_path / "landing/fhir/bulk/Observation.ndjson", 10)
    old_log = _file(tmp_path / "logs/dbt/2026-07-01.log", 91)
    new_log = _file(tmp_path / "logs/dbt/2026-10-30.log", 2)

    deleted = enforce_retention(tmp_path / "landing", [tmp_path / "logs"], RetentionPolicy(365, 90), now=NOW)

    assert deleted == {"landing": 1, "logs": 1}
    assert not old_landing.exists() and not old_log.exists()
    assert new_landing.exists() and new_log.exists()
    assert not (tmp_path / "landing/devices").exists(), "empty folders left by expired files are removed"
    assert enforce_retention(tmp_path / "landing", [tmp_path / "logs"], RetentionPolicy(365, 90), now=NOW) == {
        "landing": 0, "logs": 0,
    }


def test_policy_from_environment_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("RETENTION_LANDING_DAYS", "30")
    monkeypatch.setenv("RETENTION_LOG_DAYS", "7")
    assert RetentionPolicy.from_env() == RetentionPolicy(30, 7)
    monkeypatch.setenv("RETENTION_LOG_DAYS", "-1")
    with pytest.raises(IngestionError, match="RETENTION_LOG_DAYS"):
        RetentionPolicy.from_env()
