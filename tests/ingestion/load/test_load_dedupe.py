"""Raw tables carry no unique index: de-duplication is the loaders' own, so it is tested here
against every way a record can repeat (within a file, across files, with other whitespace, across
the change of the FHIR content hash from sha256 to md5), and the one-pass FHIR load is checked to
keep each line's own fields and line number."""

from __future__ import annotations

import json

from ingestion.load import load_paths
from tests.ingestion.load.inputs import apple_record, apple_xml, observation, write_ndjson


def test_repeats_within_a_file_and_across_files_are_kept_once(tmp_path, warehouse, query):
    first = write_ndjson(tmp_path / "a.ndjson", [observation("o1"), observation("o2")])
    load_paths([first], warehouse)
    spaced = json.dumps(observation("o3"), separators=(", ", ": "))
    lines = [observation("o1"), observation("o3"), spaced, observation("o4"), json.dumps(observation("o3"))]
    [report] = load_paths([write_ndjson(tmp_path / "b.ndjson", lines)], warehouse)
    assert (report.loaded, report.duplicates) == (2, 3)
    assert query("select resource_id, count(*) from raw.fhir_resources group by 1 order by 1") == [
        ("o1", 1), ("o2", 1), ("o3", 1), ("o4", 1)]
    assert query("select n_loaded, n_duplicate from raw.load_log order by started_at") == [(2, 0), (2, 3)]


def test_every_line_keeps_its_own_fields_and_line_number(tmp_path, warehouse, query):
    # Enough lines for several DuckDB vectors and threads, with bad lines scattered: the load reads
    # the lines unnumbered and finds the quarantined ones' numbers in a second, numbered read.
    n = 30_000
    lines: list = [observation(f"o{i}", patient=f"p{i % 97}", value=50 + i % 90) for i in range(n)]
    bad_at = [7, 2_049, 12_345, 29_999]
    for position in bad_at:
        lines[position] = "{not json " + str(position)
    [report] = load_paths([write_ndjson(tmp_path / "big.ndjson", lines)], warehouse)
    assert (report.loaded, report.quarantined) == (n - len(bad_at), len(bad_at))
    assert query("select record_number, content from quarantine.records order by 1") == [
        (p + 1, "{not json " + str(p)) for p in bad_at]
    assert query("""
        select count(*) filter (where json_extract_string(resource, '$.id') <> resource_id
                                   or json_extract_string(resource, '$.subject.reference') <> 'Patient/' || patient_id)
        from raw.fhir_resources""") == [(0,)]


def test_repeated_and_blank_invalid_lines_each_keep_their_line_number(tmp_path, warehouse, query):
    # Invalid lines are found again by their hash: one repeated, blank lines, one already loaded.
    path = tmp_path / "r.ndjson"
    path.write_text("\n".join([json.dumps(observation("o1")), "{bad", "", json.dumps(observation("o2")),
                                "{bad", "   ", json.dumps(observation("o1"))]) + "\n", encoding="utf-8")
    [report] = load_paths([path], warehouse)
    assert (report.loaded, report.duplicates, report.quarantined) == (2, 1, 4)
    assert query("select record_number, reason_code, content from quarantine.records order by 1") == [
        (2, "invalid-json", "{bad"), (3, "invalid-json", None), (5, "invalid-json", "{bad"),
        (6, "invalid-json", "   ")]
    assert query("select count(*) from raw.fhir_resources where resource_type = ''") == [(0,)]  # no marker left


def test_device_reading_repeated_in_one_export_is_kept_once(tmp_path, warehouse, query):
    beat = apple_record("HKQuantityTypeIdentifierHeartRate", 72, "count/min")
    path = tmp_path / "export.xml"
    path.write_text(apple_xml([beat, apple_record("HKQuantityTypeIdentifierHeartRate", 75, "count/min"), beat]))
    [report] = load_paths([path], warehouse, patient="p3")
    assert (report.loaded, report.duplicates) == (2, 1)
    [again] = load_paths([path], warehouse, patient="p3")
    assert (again.loaded, again.duplicates) == (0, 3)
    assert query("select count(*), count(distinct content_hash) from raw.device_observations") == [(2, 2)]


def test_load_plan_runs_on_every_thread(tmp_path):
    # WITH ORDINALITY (a streaming window) or pairing two reads by position runs everything above
    # it on one thread: the load statement must have neither; only the quarantine's read numbers lines.
    import duckdb

    from ingestion.load.fhir_sql import ensure_unit_rules, load_sql, ndjson_source
    from ingestion.warehouse import ensure_raw_schema

    path = write_ndjson(tmp_path / "a.ndjson", [observation("o1")])
    con = duckdb.connect()
    ensure_raw_schema(con)
    ensure_unit_rules(con)
    plan = "\n".join(row[1] for row in con.execute(f"explain {load_sql(ndjson_source(path), None)}",
                                                    ["fhir-ndjson", str(path), "l1"]).fetchall())
    assert "Read Csv" in plan and "Window" not in plan and "Positional" not in plan
    numbered = "\n".join(row[1] for row in con.execute(f"explain {ndjson_source(path, numbered=True)}").fetchall())
    assert "Window" in numbered  # the plan text the assertion above relies on


def test_rows_hashed_with_sha256_by_earlier_loaders_still_dedupe(tmp_path, warehouse, query):
    import duckdb

    from ingestion.warehouse import connect

    path = write_ndjson(tmp_path / "a.ndjson", [observation("o1"), observation("o2")])
    load_paths([path], warehouse)
    assert query("select count(*) from raw.fhir_resources where content_hash = md5(resource)") == [(2,)]
    with duckdb.connect(str(warehouse)) as con:  # what a loader before the md5 key left behind
        con.execute("update raw.fhir_resources set content_hash = sha256(resource)")
    connect(warehouse).close()  # opening the warehouse for writing migrates the old hashes
    assert query("select count(*) from raw.fhir_resources where content_hash = md5(resource)") == [(2,)]
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update raw.fhir_resources set content_hash = sha256(resource)")
    spaced = json.dumps(observation("o2"), separators=(", ", ": "))
    [report] = load_paths([write_ndjson(tmp_path / "b.ndjson", [observation("o1"), spaced, observation("o3")])],
                          duckdb.connect(str(warehouse)))  # a connection given: load_paths migrates too
    assert (report.loaded, report.duplicates) == (1, 2)
    assert query("select resource_id, length(content_hash) from raw.fhir_resources order by 1") == [
        ("o1", 32), ("o2", 32), ("o3", 32)]


def test_content_hashes_are_stored_uncompressed(tmp_path, warehouse, query):
    # Every load reads all of raw's hashes to find repeats: stored uncompressed (warehouse.py), the
    # read skips decompressing random hex, which DuckDB's string compression only halves.
    fhir = write_ndjson(tmp_path / "o.ndjson", [observation(f"o{i}", value=40 + i % 100) for i in range(500)])
    beats = [apple_record("HKQuantityTypeIdentifierHeartRate", 50 + i % 90, "count/min",
                          start=f"2026-01-05 08:{i // 60:02d}:{i % 60:02d} +0100") for i in range(500)]
    (tmp_path / "export.xml").write_text(apple_xml(beats))
    load_paths([fhir, tmp_path / "export.xml"], warehouse, patient="p1")
    assert query("select count(*) from raw.fhir_resources") == [(500,)]
    assert query("select count(*) from raw.device_observations") == [(500,)]
    assert query("""
        select distinct table_name, compression
        from (select 'fhir_resources' as table_name, * from pragma_storage_info('raw.fhir_resources')
              union all
              select 'device_observations', * from pragma_storage_info('raw.device_observations'))
        where column_name = 'content_hash' and segment_type = 'VARCHAR'
        order by 1""") == [("device_observations", "Uncompressed"), ("fhir_resources", "Uncompressed")]
