"""The synthetic cohort (python -m ingestion synth) loads cleanly: every source, nothing lost."""

from __future__ import annotations

import json

import pytest

from ingestion.load import load_paths

synth = pytest.importorskip("ingestion.synth.generate")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    out = tmp_path_factory.mktemp("cohort") / "out"
    synth.generate(synth.SynthConfig(out=out, patients=3, days=14, seed=11))
    return out


def test_whole_cohort_loads_without_rejections_or_quarantine(cohort, warehouse, query):
    reports = load_paths([cohort / "fhir", cohort / "devices"], warehouse)
    problems = [(r.path, r.message, dict(r.reasons)) for r in reports if r.rejected or r.quarantined]
    assert problems == []
    kinds = {r.kind for r in reports}
    assert {"fhir-ndjson", "bulk-manifest", "fhir-bundle", "device-csv"} <= kinds
    manifest = json.loads((cohort / "fhir" / "bulk" / "manifest.json").read_text())
    expected = sum(o["count"] for o in manifest["output"])
    assert query("select count(*) from raw.fhir_resources where source_kind = 'fhir-ndjson'") == [(expected,)]
    by_patient = query("select count(distinct patient_id) from raw.fhir_resources where patient_id is not null")
    assert by_patient == [(3,)]
    device_kinds = {k for (k,) in query("select distinct source_kind from raw.device_observations")}
    present = {d.name for d in (cohort / "devices").iterdir()}
    assert device_kinds == {{"open-mhealth": "open-mhealth", "apple-health": "apple-health",
                             "csv": "device-csv"}[d] for d in present}
    units = query("select loinc_code, list(distinct unit) from raw.device_observations group by 1 order by 1")
    expected_units = {"8867-4": "/min", "40443-4": "/min", "8310-5": "Cel", "29463-7": "kg", "2708-6": "%",
                      "59408-5": "%", "8480-6": "mm[Hg]", "8462-4": "mm[Hg]", "55423-8": "/d",
                      "93832-4": "h", "80404-7": "ms", "9279-1": "/min"}
    assert all(u == [expected_units[code]] for code, u in units)

    again = load_paths([cohort / "fhir", cohort / "devices"], warehouse)
    assert sum(r.loaded for r in again) == 0
    assert sum(r.duplicates for r in again) == sum(r.loaded + r.duplicates for r in reports)
