"""Import of hospital FHIR Bundles into a patient's record.

The hospital's Patient is not copied: every reference to it is pointed at our Patient. Entries
get new server ids, and references between entries (urn:uuid or Type/id) follow them. Types the
record does not hold are skipped and reported, never silently dropped.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app_backend.config import Settings
from app_backend.fhir.validation import FhirError, validate_resource
from app_backend.models import User
from app_backend.services.health_record import RECORD_TYPES, Submission, submit

BUNDLE_TYPES = {"transaction", "batch", "collection", "document", "searchset"}
MAX_ENTRIES = 5000


@dataclass
class ImportResult:
    imported: Counter = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)


def _reference_keys(entry: dict) -> list[str]:
    resource = entry.get("resource") or {}
    keys = [entry["fullUrl"]] if entry.get("fullUrl") else []
    if resource.get("id"):
        keys.append(f"{resource.get('resourceType')}/{resource['id']}")
    return keys


def _rewrite(value, mapping: dict[str, str]):
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "reference" and isinstance(item, str) and item in mapping:
                out[key] = mapping[item]
            else:
                out[key] = _rewrite(item, mapping)
        return out
    if isinstance(value, list):
        return [_rewrite(v, mapping) for v in value]
    return value


def import_bundle(session: Session, settings: Settings, user: User, patient_id: str,
                  bundle: object) -> ImportResult:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FhirError(422, "send one FHIR Bundle (resourceType Bundle)", "structure")
    if bundle.get("type") not in BUNDLE_TYPES:
        raise FhirError(422, f"Bundle type must be one of {', '.join(sorted(BUNDLE_TYPES))}", "invalid")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES:
        raise FhirError(422, f"a Bundle may hold at most {MAX_ENTRIES} entries: split it", "too-costly")
    # Validate the whole Bundle's entries first: nothing is half-imported.
    validated: list[tuple[dict, dict]] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            raise FhirError(422, f"entry {index} has no resource", "structure")
        try:
            validated.append((entry, validate_resource(entry["resource"])))
        except FhirError as exc:
            raise FhirError(422, f"entry {index}: {exc.message}", exc.code) from None
    mapping: dict[str, str] = {}
    result = ImportResult()
    for entry, resource in validated:
        if resource["resourceType"] == "Patient":
            for key in _reference_keys(entry):
                mapping[key] = f"Patient/{patient_id}"
        elif resource["resourceType"] in RECORD_TYPES:
            new_id = str(uuid.uuid4())
            for key in _reference_keys(entry):
                mapping[key] = f"{resource['resourceType']}/{new_id}"
            entry["_new_id"] = new_id
    for entry, resource in validated:
        kind = resource["resourceType"]
        if kind == "Patient":
            continue
        if kind not in RECORD_TYPES:
            result.skipped.append(f"{kind}/{resource.get('id', '?')}: not held in the health record")
            continue
        rewritten = _rewrite(resource, mapping)
        rewritten.pop("id", None)
        subject = json.dumps(rewritten.get("subject") or rewritten.get("patient") or {})
        if f"Patient/{patient_id}" not in subject:
            result.skipped.append(f"{kind}/{resource.get('id', '?')}: not about this patient")
            continue
        submission = submit(session, settings, user, rewritten, patient_id, source="import",
                            resource_id=entry["_new_id"])
        result.imported[kind] += 1
        result.submissions.append(submission)
    return result

