"""FHIR Bulk Data manifests: load each NDJSON file the manifest lists, with its declared type.

Files are found next to the manifest: a relative `url` is a path inside the manifest's folder (the
bulk client writes manifests that way), an absolute URL is looked up by its last path segment.
Nothing outside the manifest's folder is ever read.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

from ingestion.load.detect import Detected
from ingestion.load.fhir_types import RESOURCE_TYPES
from ingestion.load.report import FileReport, Rejected
from ingestion.load.session import file_sha256, log_rejection


def resolve_output(manifest_path: Path, url: str) -> Path:
    folder = manifest_path.parent.resolve()
    parsed = urlparse(url)
    name = Path(parsed.path).name if parsed.scheme in ("http", "https") else url
    if parsed.scheme == "file":
        name = parsed.path
    candidate = (folder / name).resolve()
    if folder not in candidate.parents:
        raise Rejected(f"manifest entry {url!r} points outside the manifest's folder")
    if not candidate.is_file():
        raise Rejected(f"manifest entry {url!r}: file {candidate.name} not found next to the manifest "
                       f"(download it with `pull_export`)")
    return candidate


def load_manifest(con, path: Path, manifest: dict, patient: str | None):
    """Yield (FileReport, listed file or None) for each output of the manifest, then the manifest."""
    from ingestion.load.core import load_file

    started = time.perf_counter()
    outputs = [o for o in manifest.get("output", []) if isinstance(o, dict)]
    for output in outputs:
        url, rtype = str(output.get("url", "")), output.get("type")
        try:
            listed = resolve_output(path, url)
        except Rejected as exc:
            yield log_rejection(con, path, "bulk-manifest", None, None, str(exc), time.perf_counter()), None
            continue
        expected = rtype if rtype in RESOURCE_TYPES else None
        yield load_file(con, listed, patient, Detected("fhir-ndjson"), expected_type=expected), listed
    errors = manifest.get("error") or []
    report = FileReport(path=str(path), kind="bulk-manifest", duration_s=time.perf_counter() - started,
                        message=f"{len(outputs)} files listed, transactionTime "
                                f"{manifest.get('transactionTime')}"
                                + (f", {len(errors)} error files (not loaded)" if errors else ""))
    report.load_id = uuid.uuid4().hex
    con.execute("insert into raw.load_log values (?, ?, ?, 'bulk-manifest', null, "
                "now(), now(), 'loaded', 0, 0, 0, ?, ?)",
                [report.load_id, str(path), file_sha256(path), report.duration_s, report.message])
    yield report, None
