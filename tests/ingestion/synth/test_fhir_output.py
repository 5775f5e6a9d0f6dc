"""The FHIR Bulk Data output: manifest consistency, the shared encodings, R4B validity."""

from __future__ import annotations

import json
from pathlib import Path

from fhir.resources.R4B import get_fhir_model_class

from ingestion.synth.catalogue import instrument_items

BULK_TYPES = {
    "Organization",
    "Patient",
    "Condition",
    "Procedure",
    "MedicationStatement",
    "AllergyIntolerance",
    "Observation",
    "QuestionnaireResponse",
    "Consent",  # the demo cohort's seed gives it research-consent withdrawals
}
LOINC_UNITS = {
    "8867-4": "/min",
    "40443-4": "/min",
    "8310-5": "Cel",
    "29463-7": "kg",
    "2708-6": "%",
    "55423-8": "/d",
    "93832-4": "h",
    "80404-7": "ms",
    "9279-1": "/min",
}


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_manifest_lists_every_file_with_its_count(demo_cohort: Path, bulk_resources):
    bulk = demo_cohort / "fhir" / "bulk"
    manifest = json.loads((bulk / "manifest.json").read_text())
    assert manifest["requiresAccessToken"] is False and manifest["error"] == []
    assert manifest["transactionTime"].startswith("2026-11-01")
    listed = {entry["type"]: entry for entry in manifest["output"]}
    assert set(listed) == BULK_TYPES
    assert {p.name for p in bulk.glob("*.ndjson")} == {e["url"] for e in listed.values()}
    for resource_type, entry in listed.items():
        resources = bulk_resources[Path(entry["url"]).stem]
        assert len(resources) == entry["count"]
        assert {r["resourceType"] for r in resources} == {resource_type}
        assert len({r["id"] for r in resources}) == len(resources)


def test_a_sample_of_every_resource_type_validates_with_fhir_resources_r4b(
    demo_cohort: Path, bulk_resources
):
    assert set(bulk_resources) == BULK_TYPES
    for resources in bulk_resources.values():
        sample = resources[:: max(1, len(resources) // 25)]
        for resource in sample:
            model = get_fhir_model_class(resource["resourceType"])
            model.model_validate(resource)
    for path in sorted((demo_cohort / "fhir" / "bundles").glob("*.json"))[:5]:
        get_fhir_model_class("Bundle").model_validate(json.loads(path.read_text()))


def test_observations_use_the_clinical_spec_codes_and_units(bulk_resources):
    seen = set()
    for obs in bulk_resources["Observation"]:
        code = obs["code"]["coding"][0]["code"]
        assert obs["performer"] == [obs["subject"]]
        if code == "85354-9":
            parts = {c["code"]["coding"][0]["code"]: c["valueQuantity"] for c in obs["component"]}
            assert set(parts) == {"8480-6", "8462-4"}
            assert {q["code"] for q in parts.values()} == {"mm[Hg]"}
        else:
            assert obs["valueQuantity"]["code"] == LOINC_UNITS[code]
            assert obs["valueQuantity"]["system"] == "http://unitsofmeasure.org"
        seen.add(code)
    assert {"85354-9", "8310-5", "29463-7", "40443-4"} <= seen


def test_questionnaire_responses_follow_the_shared_prom_encoding(bulk_resources):
    catalogue = {
        items[0].questionnaire_url: {i.link_id: i for i in items}
        for items in instrument_items().values()
    }
    instruments = set()
    for qr in bulk_resources["QuestionnaireResponse"]:
        assert qr["status"] == "completed"
        assert qr["subject"]["reference"].startswith("Patient/")
        assert qr["authored"][-6] in "+-"  # ISO datetime with an offset
        items = catalogue[qr["questionnaire"]]
        instruments.add(qr["questionnaire"])
        for entry in qr["item"]:
            item = items[entry["linkId"]]
            (answer,) = entry["answer"]
            if "valueInteger" in answer:
                assert item.min_value <= answer["valueInteger"] <= item.max_value
            else:
                assert answer["valueCoding"]["code"] in ("not-applicable", "prefer-not-to-answer")
                assert item.instrument == "pro-ctcae"
            assert "text" not in entry
    assert instruments == set(catalogue)


def test_hospital_bundles_carry_the_same_resources_as_bulk(demo_cohort: Path):
    bulk = demo_cohort / "fhir" / "bulk"
    by_key = {}
    for resource_type in (
        "Patient",
        "Condition",
        "Procedure",
        "MedicationStatement",
        "AllergyIntolerance",
    ):
        for line in (bulk / f"{resource_type}.ndjson").read_text(encoding="utf-8").splitlines():
            resource = json.loads(line)
            by_key[(resource_type, resource["id"])] = resource
    bundles = sorted((demo_cohort / "fhir" / "bundles").glob("*.json"))
    patients = _lines(bulk / "Patient.ndjson")
    assert [b.stem for b in bundles] == sorted(p["id"] for p in patients)
    for path in bundles:
        bundle = json.loads(path.read_text())
        assert bundle["type"] == "transaction"
        for entry in bundle["entry"]:
            assert entry["fullUrl"].startswith("urn:uuid:")
            resource = entry["resource"]
            assert entry["request"] == {
                "method": "PUT",
                "url": f"{resource['resourceType']}/{resource['id']}",
            }
            if resource["resourceType"] != "Organization":
                assert by_key[(resource["resourceType"], resource["id"])] == resource


def test_patients_carry_identity_centre_and_language(demo_cohort: Path):
    patients = _lines(demo_cohort / "fhir" / "bulk" / "Patient.ndjson")
    for patient in patients:
        assert (
            patient["identifier"][0]["system"]
            == "http://survivorship-platform.org/fhir/sid/patient-id"
        )
        assert {t["system"] for t in patient["telecom"]} == {"email", "phone"}
        assert patient["managingOrganization"]["reference"].startswith("Organization/")
        assert patient["communication"][0]["language"]["coding"][0]["code"]
    assert len({p["managingOrganization"]["reference"] for p in patients}) >= 4


def test_a_few_patients_withdrew_research_consent(bulk_resources):
    from fhir.resources.R4B.consent import Consent

    patients = {p["id"] for p in bulk_resources["Patient"]}
    consents = bulk_resources["Consent"]
    assert 0 < len(consents) <= max(2, len(patients) // 10)
    for consent in consents:
        Consent.model_validate(consent)
        assert consent["status"] == "inactive" and consent["provision"]["type"] == "permit"
        assert consent["scope"]["coding"][0]["code"] == "research"
        assert consent["patient"]["reference"].removeprefix("Patient/") in patients
