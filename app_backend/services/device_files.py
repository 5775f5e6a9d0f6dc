"""Device files uploaded from the app (Open mHealth JSON, an Apple Health export, a home device's
CSV) go to the pipeline's landing zone, where the ingestion library loads them on its next run:
the backend never writes the warehouse (DuckDB has one writer: the pipeline).

The kind is detected from the bytes by the ingestion library itself, so a file the pipeline
could not read is refused here, at once, with the same message. The stored name is ours (a new
uuid); nothing from the upload's file name reaches the filesystem.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from app_backend.fhir.validation import FhirError

# Detected kind -> (landing sub-folder, file suffix), as in ingestion/pipeline/landing.py.
LANDING = {
    "open-mhealth": ("open-mhealth", ".json"),
    "apple-health": ("apple-health", None),  # .zip or .xml, from the detection
    "device-csv": ("csv", ".csv"),
}
CHUNK = 1 << 20


class TooLarge(Exception):
    pass


def receive(stream, incoming_dir: Path, max_bytes: int) -> Path:
    """Copy an upload to a private temporary file, refusing more than max_bytes."""
    incoming_dir.mkdir(parents=True, exist_ok=True)
    target = incoming_dir / f".upload-{uuid.uuid4().hex}"
    written = 0
    with target.open("wb") as handle:
        while chunk := stream.read(CHUNK):
            written += len(chunk)
            if written > max_bytes:
                handle.close()
                target.unlink(missing_ok=True)
                raise TooLarge(f"the file is larger than {max_bytes} bytes")
            handle.write(chunk)
    return target


def land(upload: Path, landing_dir: Path, patient_id: str) -> dict:
    """Detect the kind and move the file into LANDING_DIR/devices/<kind>/patient=<id>/."""
    from ingestion.load.detect import detect
    from ingestion.load.report import Rejected

    try:
        detected = detect(upload)
    except Rejected as exc:
        upload.unlink(missing_ok=True)
        raise FhirError(422, f"this file cannot be loaded: {exc}", "invalid") from None
    if detected.kind not in LANDING:
        upload.unlink(missing_ok=True)
        raise FhirError(422, f"a {detected.kind} file is not a device file: import FHIR data with "
                        "POST /health-record/{patient_id}/import", "not-supported")
    folder, suffix = LANDING[detected.kind]
    suffix = suffix or f".{detected.detail or 'zip'}"
    destination_dir = landing_dir / "devices" / folder / f"patient={patient_id}"
    destination_dir.mkdir(parents=True, exist_ok=True)
    destination = destination_dir / f"app-upload-{uuid.uuid4().hex}{suffix}"
    os.replace(upload, destination)  # atomic: the pipeline never sees half a file
    return {"kind": detected.kind, "detail": detected.detail, "stored_as": destination.name,
            "status": "queued: loaded by the next pipeline run"}
