"""The backend $export pull: watermark arithmetic and re-runs of an interval reusing its download."""

from __future__ import annotations

import json

import pytest

from ingestion.errors import IngestionError
from ingestion.pipeline.export import MARKER, backend_token, later, pull
from ingestion.pipeline.landing import landed_files


def test_the_watermark_never_moves_backwards():
    assert later(None, "2026-01-01T00:00:00Z") == "2026-01-01T00:00:00Z"
    assert later("2026-01-02T00:00:00+00:00", "2026-01-01T23:00:00Z") == "2026-01-02T00:00:00+00:00"
    # Compared as instants, not as strings: 01:00+02:00 is before 00:30Z.
    assert later("2026-01-01T01:00:00+02:00", "2026-01-01T00:30:00Z") == "2026-01-01T00:30:00Z"
    assert later(None, None) is None


def test_a_rerun_of_an_interval_reuses_its_download(tmp_path):
    folder = tmp_path / "fhir" / "backend-export" / "20260101T001500Z"
    folder.mkdir(parents=True)
    record = {
        "since": None,
        "transaction_time": "2026-01-01T00:15:00Z",
        "files": ["1.Patient.ndjson"],
    }
    (folder / MARKER).write_text(json.dumps(record))
    (folder / "1.Patient.ndjson").write_text("{}\n")
    # No backend is reachable here: a second pull must not try to contact it.
    assert pull(folder, since="2026-01-01T00:00:00Z", base="http://127.0.0.1:9") == record
    # The marker is hidden from the landing scan: only data files are loaded.
    assert [p.name for p in landed_files(tmp_path, "backend-export")] == ["1.Patient.ndjson"]


def test_missing_credentials_say_what_to_set(monkeypatch):
    for var in ("BACKEND_EXPORT_TOKEN", "BACKEND_EXPORT_USER", "BACKEND_EXPORT_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(IngestionError, match="BACKEND_EXPORT_TOKEN"):
        backend_token("http://127.0.0.1:9")
