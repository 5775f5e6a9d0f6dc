"""Hospital export: one FHIR transaction Bundle per patient (`fhir/bundles/<patient-id>.json`).

Entries are PUTs to the resource's own id (update-as-create), so delivering the same export twice
changes nothing; the resources are the very dicts written to the bulk NDJSON.
"""

from __future__ import annotations

import json
from pathlib import Path

from ingestion.synth.files import write_text_atomic
from ingestion.synth.rand import stable_uuid


def transaction_bundle(organization: dict, resources: list[dict], timestamp: str) -> dict:
    patient_id = resources[0]["id"]
    entries = []
    for resource in [organization, *resources]:
        path = f"{resource['resourceType']}/{resource['id']}"
        entries.append(
            {
                "fullUrl": f"urn:uuid:{stable_uuid('bundle-entry', path)}",
                "resource": resource,
                "request": {"method": "PUT", "url": path},
            }
        )
    return {
        "resourceType": "Bundle",
        "id": f"{patient_id}-export",
        "type": "transaction",
        "timestamp": timestamp,
        "entry": entries,
    }


def write_bundle(
    directory: Path, organization: dict, resources: list[dict], timestamp: str
) -> Path:
    bundle = transaction_bundle(organization, resources, timestamp)
    path = directory / f"{resources[0]['id']}.json"
    write_text_atomic(path, json.dumps(bundle, ensure_ascii=False, indent=1) + "\n")
    return path
