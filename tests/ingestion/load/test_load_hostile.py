"""Files that cannot be read are rejected whole, with a clear reason, and nothing of them is kept."""

from __future__ import annotations

import io
import json
import zipfile

from ingestion.load import load_paths
from tests.ingestion.load.inputs import apple_record, apple_xml, observation, write_ndjson

HEART = apple_record("HKQuantityTypeIdentifierHeartRate", 72, "count/min")


def _rejected(tmp_path, warehouse, query, path, patient="p1"):
    [report] = load_paths([path], warehouse, patient=patient)
    assert report.rejected, report
    assert query("select status, message from raw.load_log") == [("rejected", report.message)]
    assert query("select (select count(*) from raw.fhir_resources) + (select count(*) from raw.device_observations)"
                 " + (select count(*) from quarantine.records)") == [(0,)]
    return report.message


def test_billion_laughs_entity_expansion_is_rejected(tmp_path, warehouse, query):
    dtd = ('<!DOCTYPE HealthData [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
           '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n')
    path = tmp_path / "export.xml"
    path.write_text(apple_xml([HEART, '<Note v="&lol3;"/>'], preamble=dtd))
    assert "entity" in _rejected(tmp_path, warehouse, query, path).lower()


def test_external_entity_is_rejected(tmp_path, warehouse, query):
    dtd = '<!DOCTYPE HealthData [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    path = tmp_path / "export.xml"
    path.write_text(apple_xml([HEART, "<Note>&secret;</Note>"], preamble=dtd))
    assert "entity" in _rejected(tmp_path, warehouse, query, path).lower()


def test_internal_dtd_of_real_exports_is_accepted(tmp_path, warehouse):
    dtd = '<!DOCTYPE HealthData [\n<!ELEMENT HealthData (ExportDate,Me,(Record)*)>\n<!ATTLIST Record type CDATA #REQUIRED>\n]>\n'
    path = tmp_path / "export.xml"
    path.write_text(apple_xml([HEART], preamble=dtd))
    [report] = load_paths([path], warehouse, patient="p1")
    assert (report.rejected, report.loaded) == (False, 1)


def test_truncated_xml_is_rejected_with_nothing_half_loaded(tmp_path, warehouse, query):
    path = tmp_path / "export.xml"
    path.write_text(apple_xml([HEART] * 50)[:-40])
    assert "malformed XML" in _rejected(tmp_path, warehouse, query, path)


def test_zip_bomb_is_rejected_before_extraction(tmp_path, warehouse, query):
    path = tmp_path / "export.zip"
    with (zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
          archive.open("apple_health_export/export.xml", "w", force_zip64=True) as entry):
        entry.write(apple_xml([HEART]).encode()[:-14])
        zeros = b" " * (1 << 20)
        for _ in range(64):  # 64 MiB of spaces deflate to ~64 KiB
            entry.write(zeros)
        entry.write(b"</HealthData>\n")
    assert path.stat().st_size < 2 << 20
    assert "zip bomb" in _rejected(tmp_path, warehouse, query, path)


def test_zip_entry_with_parent_path_is_rejected(tmp_path, warehouse, query):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("apple_health_export/export.xml", apple_xml([HEART]))
        archive.writestr("../../etc/cron.d/evil", "* * * * * root rm -rf /")
    assert "'../'" in _rejected(tmp_path, warehouse, query, path)
    assert not (tmp_path.parent.parent / "etc").exists()


def test_zip_entry_with_absolute_path_is_rejected(tmp_path, warehouse, query):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("apple_health_export/export.xml", apple_xml([HEART]))
        archive.writestr("/tmp/evil.sh", "boom")
    path = tmp_path / "export.zip"
    path.write_bytes(buffer.getvalue())
    assert "absolute" in _rejected(tmp_path, warehouse, query, path)


def test_not_utf8_is_rejected(tmp_path, warehouse, query):
    path = tmp_path / "latin1.ndjson"
    path.write_bytes(json.dumps(observation("o1", note="Mühle")).encode("utf-8") + b"\n"
                     + '{"resourceType":"Patient","id":"p1","name":[{"family":"Müller"}]}\n'.encode("latin-1"))
    assert "UTF-8" in _rejected(tmp_path, warehouse, query, path)


def test_binary_and_unsupported_files_are_rejected(tmp_path, warehouse, query):
    path = tmp_path / "photo.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert "UTF-8" in _rejected(tmp_path, warehouse, query, path)
    other = tmp_path / "notes.ndjson"
    other.write_text("Dear doctor,\nI feel fine.\n")
    [report] = load_paths([other], warehouse)
    assert report.rejected and "not a supported kind" in report.message


def test_manifest_pointing_outside_its_folder_is_refused(tmp_path, warehouse, query):
    outside = write_ndjson(tmp_path / "secret.ndjson", [observation("o1")])
    folder = tmp_path / "bulk"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({
        "transactionTime": "2026-01-01T00:00:00Z", "request": "x", "requiresAccessToken": False,
        "output": [{"type": "Observation", "url": f"../{outside.name}"}]}))
    reports = load_paths([folder], warehouse)
    assert reports[0].rejected and "outside the manifest's folder" in reports[0].message
    assert query("select count(*) from raw.fhir_resources") == [(0,)]


def test_one_bad_file_does_not_stop_the_others(tmp_path, warehouse, query):
    write_ndjson(tmp_path / "in" / "a.ndjson", [observation("o1")])
    (tmp_path / "in" / "b.ndjson").write_bytes(b"\xff\xfe garbage")
    reports = load_paths([tmp_path / "in"], warehouse)
    assert [(r.rejected, r.loaded) for r in reports] == [(False, 1), (True, 0)]
