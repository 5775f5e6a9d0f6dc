"""FHIR Bulk Data output: one NDJSON file per resource type and the export manifest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

from ingestion.synth.files import finish, part_path, write_text_atomic

# Manifest order: fixed, so the manifest is byte-identical run to run.
RESOURCE_TYPES = (
    "Organization",
    "Patient",
    "Condition",
    "Procedure",
    "MedicationStatement",
    "AllergyIntolerance",
    "Observation",
    "QuestionnaireResponse",
    "Consent",
)
EXPORT_REQUEST = "https://fhir.survivorship-platform.example/fhir/$export"


def dumps(resource: dict) -> str:
    """Canonical compact JSON: key order as built, UTF-8 text, no whitespace."""
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":"))


class BulkWriter:
    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.files: dict[str, IO[str]] = {}
        self.counts: dict[str, int] = {}

    def write(self, resource: dict) -> None:
        resource_type = resource["resourceType"]
        handle = self.files.get(resource_type)
        if handle is None:
            handle = open(  # noqa: SIM115 - kept open across patients, closed in close()
                part_path(self.directory / f"{resource_type}.ndjson"),
                "w",
                encoding="utf-8",
                newline="\n",
            )
            self.files[resource_type] = handle
            self.counts[resource_type] = 0
        handle.write(dumps(resource))
        handle.write("\n")
        self.counts[resource_type] += 1

    def close(self) -> dict[str, int]:
        """Publish the files; returns resources written per type."""
        for resource_type, handle in self.files.items():
            handle.close()
            finish(self.directory / f"{resource_type}.ndjson")
        return dict(self.counts)


def write_manifest(directory: Path, counts: dict[str, int], transaction_time: str) -> dict:
    """The Bulk Data manifest for the NDJSON files in `directory`; write it after them."""
    manifest = {
        "transactionTime": transaction_time,
        "request": EXPORT_REQUEST,
        "requiresAccessToken": False,
        "output": [
            {"type": t, "url": f"{t}.ndjson", "count": counts[t]}
            for t in RESOURCE_TYPES
            if counts.get(t)
        ],
        "error": [],
    }
    write_text_atomic(directory / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return manifest
