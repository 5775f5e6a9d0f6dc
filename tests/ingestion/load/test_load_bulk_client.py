"""The Bulk Data client against a real HTTP server on 127.0.0.1, then the loader on its output."""

from __future__ import annotations

import pytest

from ingestion.bulk_client import BulkExportError, pull_export
from ingestion.load import load_paths
from tests.ingestion.load.bulk_server import BulkServer
from tests.ingestion.load.inputs import observation

FILES = {"Patient": [{"resourceType": "Patient", "id": "p1"}],
         "Observation": [observation("o1"), observation("o2", value=80)]}


def test_pull_export_downloads_files_and_returns_watermark(tmp_path, warehouse, query):
    with BulkServer(FILES) as server:
        result = pull_export(server.base_url, token="secret", since="2026-11-01T00:00:00+00:00",
                             types=["Patient", "Observation"], out_dir=tmp_path / "bulk", poll_interval=0.01)
    assert result.transaction_time == "2026-11-20T10:00:00+00:00"
    assert result.counts == {"Patient": 1, "Observation": 2}
    kickoff = server.requests[0]
    assert kickoff[2]["Prefer"] == "respond-async" and kickoff[2]["Accept"] == "application/fhir+json"
    assert server.query["_since"] == ["2026-11-01T00:00:00+00:00"]
    assert server.query["_type"] == ["Patient,Observation"]
    assert all(headers.get("Authorization") == "Bearer secret" for _, _, headers in server.requests)
    assert sum(1 for _, path, _ in server.requests if path.startswith("/status")) == 3  # 2 x 202, then 200
    reports = load_paths([tmp_path / "bulk"], warehouse)
    assert sum(r.loaded for r in reports) == 3 and not any(r.rejected for r in reports)
    assert query("select source_kind, count(*) from raw.fhir_resources group by 1") == [("fhir-ndjson", 3)]


def test_bad_token_is_one_clear_error(tmp_path):
    with BulkServer(FILES) as server, pytest.raises(BulkExportError, match="HTTP 401.*token.*bad token"):
        pull_export(server.base_url, token="wrong", out_dir=tmp_path, poll_interval=0.01)


def test_server_error_names_the_step(tmp_path):
    with BulkServer(FILES) as server:
        server.fail_kickoff = 503
        with pytest.raises(BulkExportError, match="kick-off failed: HTTP 503: database down"):
            pull_export(server.base_url, token="secret", out_dir=tmp_path, poll_interval=0.01)


def test_status_failure_and_timeout(tmp_path):
    with BulkServer(FILES) as server:
        server.fail_status = 500
        with pytest.raises(BulkExportError, match="polling the export status failed: HTTP 500"):
            pull_export(server.base_url, token="secret", out_dir=tmp_path, poll_interval=0.01)
    with BulkServer(FILES) as server:
        server.never_ready = True
        with pytest.raises(BulkExportError, match="not ready within"):
            pull_export(server.base_url, token="secret", out_dir=tmp_path, poll_interval=0.05, timeout=0.3)


def test_unreachable_server(tmp_path):
    with pytest.raises(BulkExportError, match="cannot reach"):
        pull_export("http://127.0.0.1:9/fhir", out_dir=tmp_path, poll_interval=0.01)
