"""Every synthetic file loads through the platform's own loaders: nothing rejected or quarantined."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from ingestion.synth.generate import SynthConfig, generate

load_core = pytest.importorskip("ingestion.load.core")


def test_fhir_and_device_files_load_into_raw_without_rejections(tmp_path: Path):
    out = tmp_path / "cohort"
    generate(SynthConfig(out=out, patients=10, days=10, seed=9, app_content=False))
    warehouse = tmp_path / "warehouse.duckdb"
    reports = load_core.load_paths([out / "fhir", out / "devices"], warehouse=str(warehouse))
    problems = [r.summary() for r in reports if r.rejected or r.quarantined]
    assert not problems
    kinds = Counter(r.kind for r in reports)
    assert {
        "bulk-manifest",
        "fhir-ndjson",
        "fhir-bundle",
        "open-mhealth",
        "apple-health",
        "device-csv",
    } <= set(kinds)

    import duckdb

    manifest = json.loads((out / "fhir" / "bulk" / "manifest.json").read_text())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = dict(
            con.sql("select resource_type, count(*) from raw.fhir_resources group by 1").fetchall()
        )
        device = dict(
            con.sql(
                "select source_kind, count(distinct loinc_code) from raw.device_observations "
                "group by 1"
            ).fetchall()
        )
    # The hospital Bundles re-deliver bulk resources byte for byte: they deduplicate to nothing new.
    assert counts == {entry["type"]: entry["count"] for entry in manifest["output"]}
    assert device["apple-health"] >= 7 and device["open-mhealth"] >= 6 and device["device-csv"] >= 3
