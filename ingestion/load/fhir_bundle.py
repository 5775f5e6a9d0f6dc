"""FHIR Bundles (transaction, batch, collection, searchset, document): each entry's resource is
loaded like an NDJSON line, through the same SQL validation.

Transaction entries often carry no id (the server would assign one) and refer to each other by
`urn:uuid:` fullUrls. The resource is kept exactly as sent; the loader only records, beside it, the
id the fullUrl gives and the patient a `urn:uuid:` subject points at.
"""

from __future__ import annotations

import json
import re

from ingestion.load.fhir_sql import load_fhir_lines
from ingestion.load.fhir_types import ID_PATTERN, PATIENT_REFERENCE_PATHS
from ingestion.load.report import Rejected
from ingestion.load.session import FileLoad
from ingestion.load.staging import staged_json

SUPPORTED_TYPES = {"transaction", "batch", "collection", "searchset", "document", "history"}
_ID = re.compile(ID_PATTERN)
_REFERENCE_KEYS = [path.split(".")[1] for path in PATIENT_REFERENCE_PATHS]  # subject, patient, ...


def _id_from_full_url(full_url: str | None) -> str | None:
    if not full_url:
        return None
    tail = full_url.rsplit(":", 1)[-1] if full_url.startswith("urn:") else full_url.rstrip("/").rsplit("/", 1)[-1]
    return tail if _ID.fullmatch(tail) else None


def _entries(bundle: dict) -> list[tuple[int, dict | None, str | None]]:
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise Rejected("Bundle.entry is not a list")
    return [(i, e.get("resource") if isinstance(e, dict) else None,
             e.get("fullUrl") if isinstance(e, dict) else None) for i, e in enumerate(entries)]


def load_bundle(ctx: FileLoad, bundle: dict) -> None:
    bundle_type = bundle.get("type")
    if bundle_type not in SUPPORTED_TYPES:
        raise Rejected(f"Bundle type {bundle_type!r} is not loadable (supported: "
                       f"{', '.join(sorted(SUPPORTED_TYPES))})")
    entries = _entries(bundle)
    patients_by_url = {
        url: (resource.get("id") or _id_from_full_url(url))
        for _, resource, url in entries
        if url and isinstance(resource, dict) and resource.get("resourceType") == "Patient"
    }
    numbers, lines, id_hints, patient_hints = [], [], [], []
    for number, resource, full_url in entries:
        if resource is None:
            ctx.skipped += 1  # e.g. a DELETE request entry: nothing to keep
            continue
        numbers.append(number)
        lines.append(json.dumps(resource, ensure_ascii=False, separators=(",", ":")))
        id_hints.append(_id_from_full_url(full_url) if isinstance(resource, dict) else None)
        patient = None
        if isinstance(resource, dict):
            for key in _REFERENCE_KEYS:
                ref = resource.get(key)
                if isinstance(ref, dict) and ref.get("reference") in patients_by_url:
                    patient = patients_by_url[ref["reference"]]
                    break
        patient_hints.append(patient)
    rows = ({"record_number": n, "line": line, "id_hint": i, "patient_hint": p}
            for n, line, i, p in zip(numbers, lines, id_hints, patient_hints))
    columns = {"record_number": "BIGINT", "line": "VARCHAR", "id_hint": "VARCHAR", "patient_hint": "VARCHAR"}
    with staged_json(rows, columns) as relation:
        load_fhir_lines(ctx, f"select * from {relation}")
    if bundle_type:
        ctx.notes.append(f"{bundle_type} Bundle with {len(entries)} entries")
