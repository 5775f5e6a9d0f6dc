"""FHIR Bundles of every supported type, Bulk manifests, and kind detection from content alone."""

from __future__ import annotations

import json

import pytest

from ingestion.load import load_paths
from ingestion.load.detect import detect
from tests.ingestion.load.inputs import (
    apple_record,
    apple_xml,
    observation,
    omh_point,
    write_ndjson,
)


def test_transaction_bundle_resolves_urn_uuid_ids_and_patients(tmp_path, warehouse, query):
    patient_url = "urn:uuid:7f1c2a9e-1111-4a6b-9c3d-000000000001"
    obs = observation("x")
    del obs["id"]
    obs["subject"] = {"reference": patient_url}
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": patient_url, "resource": {"resourceType": "Patient", "identifier": [{"value": "MRN1"}]},
         "request": {"method": "POST", "url": "Patient"}},
        {"fullUrl": "urn:uuid:7f1c2a9e-1111-4a6b-9c3d-000000000002", "resource": obs,
         "request": {"method": "POST", "url": "Observation"}},
        {"request": {"method": "DELETE", "url": "Observation/old"}},
    ]}
    path = tmp_path / "upload.txt"
    path.write_text(json.dumps(bundle, indent=2))
    [report] = load_paths([path], warehouse)
    assert (report.kind, report.loaded, report.skipped) == ("fhir-bundle", 2, 1)
    assert query("select resource_type, resource_id, patient_id, source_kind from raw.fhir_resources order by 1") == [
        ("Observation", "7f1c2a9e-1111-4a6b-9c3d-000000000002", "7f1c2a9e-1111-4a6b-9c3d-000000000001", "fhir-bundle"),
        ("Patient", "7f1c2a9e-1111-4a6b-9c3d-000000000001", "7f1c2a9e-1111-4a6b-9c3d-000000000001", "fhir-bundle")]
    [(resource,)] = query("select resource from raw.fhir_resources where resource_type = 'Observation'")
    assert json.loads(resource) == obs  # kept as sent: no id was invented inside it


@pytest.mark.parametrize("bundle_type", ["collection", "searchset", "document"])
def test_other_bundle_types_load_their_entries(tmp_path, warehouse, query, bundle_type):
    entries = [{"fullUrl": "http://x/fhir/Patient/p1", "resource": {"resourceType": "Patient", "id": "p1"}},
               {"resource": observation("o1")}, {"resource": {"resourceType": "Observation", "id": "bad"}}]
    if bundle_type == "document":
        entries.insert(0, {"resource": {"resourceType": "Composition", "id": "c1", "status": "final",
                                        "subject": {"reference": "Patient/p1"}}})
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": bundle_type, "entry": entries}))
    [report] = load_paths([path], warehouse)
    assert (report.loaded, report.quarantined) == (len(entries) - 1, 1)
    assert query("select reason_code from quarantine.records") == [("missing-subject",)]


def test_unsupported_bundle_type_is_rejected(tmp_path, warehouse):
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "batch-response", "entry": []}))
    [report] = load_paths([path], warehouse)
    assert report.rejected and "batch-response" in report.message


def test_manifest_loads_listed_files_once_with_their_declared_type(tmp_path, warehouse, query):
    folder = tmp_path / "bulk"
    write_ndjson(folder / "zz-obs.ndjson", [observation("o1"), {"resourceType": "Patient", "id": "p9"}])
    (folder / "a-manifest.json").write_text(json.dumps({
        "transactionTime": "2026-01-01T00:00:00Z", "request": "x", "requiresAccessToken": False,
        "output": [{"type": "Observation", "url": "https://server.example/files/zz-obs.ndjson"}]}))
    reports = load_paths([folder], warehouse)
    assert [(r.kind, r.loaded, r.quarantined) for r in reports] == [("fhir-ndjson", 1, 1), ("bulk-manifest", 0, 0)]
    assert query("select reason_code from quarantine.records") == [("wrong-resource-type",)]


def test_kind_is_detected_from_content_not_name(tmp_path):
    files = {
        "a.csv": "\n".join(json.dumps(observation(f"o{i}")) for i in range(3)),
        "b.ndjson": json.dumps({"resourceType": "Bundle", "type": "collection", "entry": []}, indent=1),
        "c.xml": json.dumps({"transactionTime": "2026-01-01T00:00:00Z", "output": []}),
        "d.ndjson": json.dumps([omh_point("heart-rate", {})]),
        "e.json": apple_xml([apple_record("HKQuantityTypeIdentifierHeartRate", 60, "count/min")]),
        "f.json": "Date,Weight (kg),Fat mass (kg)\n2026-01-05 07:00:00,70.1,20.0\n",
        "g.json": "{broken first line\n" + json.dumps(observation("o1")) + "\n",
    }
    kinds = {}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        kinds[name] = detect(tmp_path / name).kind
    assert kinds == {"a.csv": "fhir-ndjson", "b.ndjson": "fhir-bundle", "c.xml": "bulk-manifest",
                     "d.ndjson": "open-mhealth", "e.json": "apple-health", "f.json": "device-csv",
                     "g.json": "fhir-ndjson"}


def test_foreign_questionnaire_responses_land_as_they_are(tmp_path, warehouse, query):
    response = {"resourceType": "QuestionnaireResponse", "id": "qr1", "status": "completed",
                "questionnaire": "http://other-hospital.example/Questionnaire/phq9-local|2.1",
                "subject": {"reference": "Patient/p1"}, "authored": "2026-01-05T09:00:00+01:00",
                "item": [{"linkId": "q1.a", "answer": [{"valueCoding": {"code": "LA6569-3"}}]}]}
    [report] = load_paths([write_ndjson(tmp_path / "qr.ndjson", [response])], warehouse)
    assert report.loaded == 1
    [(resource,)] = query("select resource from raw.fhir_resources")
    assert json.loads(resource) == response
