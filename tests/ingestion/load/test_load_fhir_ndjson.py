"""FHIR NDJSON: set-based loading, idempotency, new versions, and every hostile line quarantined."""

from __future__ import annotations

import json

from ingestion.load import load_paths
from tests.ingestion.load.inputs import observation, write_ndjson


def test_loads_resources_with_patient_and_version(tmp_path, warehouse, query):
    patient = {"resourceType": "Patient", "id": "p1", "meta": {"versionId": "3"}}
    obs = observation("o1", meta={"lastUpdated": "2026-01-05T09:00:00Z"})
    [report] = load_paths([write_ndjson(tmp_path / "in" / "a.ndjson", [patient, obs])], warehouse)
    assert (report.kind, report.loaded, report.duplicates, report.quarantined) == ("fhir-ndjson", 2, 0, 0)
    rows = query("select resource_type, resource_id, patient_id, version_key, source_kind "
                 "from raw.fhir_resources order by 1")
    assert rows == [("Observation", "o1", "p1", "2026-01-05T09:00:00Z", "fhir-ndjson"),
                    ("Patient", "p1", "p1", "3", "fhir-ndjson")]
    # The whole original is kept: every field survives, including ones no schema knew about.
    [(resource,)] = query("select resource from raw.fhir_resources where resource_id = 'o1'")
    assert json.loads(resource) == obs


def test_same_file_twice_adds_nothing_and_new_version_is_kept(tmp_path, warehouse, query):
    first = write_ndjson(tmp_path / "v1.ndjson", [observation("o1", value=70), observation("o2")])
    load_paths([first], warehouse)
    [again] = load_paths([first], warehouse)
    assert (again.loaded, again.duplicates) == (0, 2)
    second = write_ndjson(tmp_path / "v2.ndjson", [observation("o1", value=71), observation("o2")])
    [update] = load_paths([second], warehouse)
    assert (update.loaded, update.duplicates) == (1, 1)
    assert query("select count(*) from raw.fhir_resources where resource_id = 'o1'") == [(2,)]


def test_same_resource_twice_in_one_file_is_kept_once(tmp_path, warehouse, query):
    [report] = load_paths([write_ndjson(tmp_path / "d.ndjson", [observation("o1")] * 3)], warehouse)
    assert (report.loaded, report.duplicates) == (1, 2)
    assert query("select count(*) from raw.fhir_resources") == [(1,)]


def test_whitespace_does_not_change_the_content_hash(tmp_path, warehouse, query):
    obs = observation("o1")
    load_paths([write_ndjson(tmp_path / "a.ndjson", [json.dumps(obs)])], warehouse)
    [report] = load_paths([write_ndjson(tmp_path / "b.ndjson", [json.dumps(obs, indent=None, separators=(", ", " : "))])], warehouse)
    assert (report.loaded, report.duplicates) == (0, 1)


def _reasons(tmp_path, warehouse, query, lines):
    [report] = load_paths([write_ndjson(tmp_path / "h.ndjson", [observation("ok")] + lines)], warehouse)
    assert report.loaded >= 1 and not report.rejected
    return query("select record_number, reason_code from quarantine.records order by 1")


def test_truncated_line_is_quarantined_as_invalid_json(tmp_path, warehouse, query):
    truncated = json.dumps(observation("o9"))[:60]
    assert _reasons(tmp_path, warehouse, query, [truncated]) == [(2, "invalid-json")]
    [(content,)] = query("select content from quarantine.records")
    assert content == truncated  # kept as received


def test_wrong_resource_type_is_quarantined(tmp_path, warehouse, query):
    lines = [{"resourceType": "Spaceship", "id": "x"}, {"id": "no-type"}]
    assert _reasons(tmp_path, warehouse, query, lines) == [(2, "wrong-resource-type"), (3, "wrong-resource-type")]


def test_missing_id_is_quarantined(tmp_path, warehouse, query):
    no_id = observation("x")
    del no_id["id"]
    bad_id = observation("has spaces/and slash")
    assert _reasons(tmp_path, warehouse, query, [no_id, bad_id]) == [(2, "missing-id"), (3, "missing-id")]


def test_missing_subject_is_quarantined(tmp_path, warehouse, query):
    orphan = observation("o9")
    del orphan["subject"]
    assert _reasons(tmp_path, warehouse, query, [orphan]) == [(2, "missing-subject")]


def test_unknown_unit_is_quarantined(tmp_path, warehouse, query):
    lines = [observation("o9", loinc="29463-7", value=12, unit="furlong")]
    assert _reasons(tmp_path, warehouse, query, lines) == [(2, "unknown-unit")]


def test_impossible_values_are_quarantined(tmp_path, warehouse, query):
    lines = [observation("t", loinc="8310-5", value=80, unit="Cel"),
             observation("w", loinc="29463-7", value=-3, unit="kg"),
             observation("s", loinc="59408-5", value=104, unit="%"),
             observation("lb", loinc="29463-7", value=150, unit="[lb_av]")]  # 68 kg: fine
    assert _reasons(tmp_path, warehouse, query, lines) == [
        (2, "impossible-value"), (3, "impossible-value"), (4, "impossible-value")]


def test_impossible_dates_are_quarantined(tmp_path, warehouse, query):
    lines = [observation("f", when="2999-01-01T00:00:00Z"), observation("g", when="yesterday"),
             observation("old", when="1850-01-01"), observation("partial", when="2025-03")]
    assert _reasons(tmp_path, warehouse, query, lines) == [
        (2, "impossible-date"), (3, "impossible-date"), (4, "impossible-date")]


def test_quarantine_is_idempotent_too(tmp_path, warehouse, query):
    path = write_ndjson(tmp_path / "q.ndjson", ["{not json", observation("o1")])
    load_paths([path], warehouse)
    [again] = load_paths([path], warehouse)
    assert again.quarantined == 1
    assert query("select count(*) from quarantine.records") == [(1,)]


def test_load_log_records_each_file(tmp_path, warehouse, query):
    path = write_ndjson(tmp_path / "l.ndjson", ["{", observation("o1"), observation("o2")])
    [report] = load_paths([path], warehouse)
    rows = query("select load_id, file_kind, status, n_loaded, n_duplicate, n_quarantined, "
                 "length(file_sha256), duration_s >= 0 from raw.load_log")
    assert rows == [(report.load_id, "fhir-ndjson", "loaded", 2, 0, 1, 64, True)]
