"""One demo cohort per test session, shared by the synthetic-data tests (generation takes seconds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingestion.synth.generate import SynthConfig, generate

DEMO = {"patients": 40, "days": 120, "seed": 7}


@pytest.fixture(scope="session")
def demo_cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "cohort"
    generate(SynthConfig(out=out, **DEMO))
    return out


@pytest.fixture(scope="session")
def bulk_resources(demo_cohort: Path) -> dict[str, list[dict]]:
    """The demo cohort's bulk NDJSON, parsed once: resource type -> resources in file order."""
    return {
        path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for path in sorted((demo_cohort / "fhir" / "bulk").glob("*.ndjson"))
    }
