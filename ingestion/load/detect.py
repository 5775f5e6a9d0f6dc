"""Which kind of file is this? Decided from the bytes, never from the file name."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ingestion.load.report import Rejected

HEAD_BYTES = 1 << 16
MAX_JSON_DOCUMENT_BYTES = 512 << 20  # Bundles and Open mHealth files are read whole; bound them


@dataclass(frozen=True)
class Detected:
    kind: str  # fhir-ndjson | fhir-bundle | bulk-manifest | open-mhealth | apple-health | device-csv
    detail: str | None = None  # zip/xml for Apple Health, the vendor for a device CSV
    document: object | None = None  # the parsed JSON document, when detection had to parse it


def _decode_head(head: bytes, path: Path) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a multi-byte character cut by the head's end
            return head[: exc.start].decode("utf-8")
        raise Rejected(f"not UTF-8 text (invalid byte at offset {exc.start}); FHIR and device "
                       f"files must be UTF-8") from None


def _looks_like_manifest(doc) -> bool:
    return isinstance(doc, dict) and "transactionTime" in doc and isinstance(doc.get("output"), list)


def _is_omh(doc) -> bool:
    points = doc if isinstance(doc, list) else [doc]
    return bool(points) and all(isinstance(p, dict) and "header" in p and "body" in p for p in points)


def _classify_document(doc, path: Path) -> Detected:
    if isinstance(doc, dict) and doc.get("resourceType") == "Bundle":
        return Detected("fhir-bundle", document=doc)
    if _looks_like_manifest(doc):
        return Detected("bulk-manifest", document=doc)
    if _is_omh(doc):
        return Detected("open-mhealth", document=doc)
    if isinstance(doc, dict) and "resourceType" in doc:
        return Detected("fhir-ndjson")  # one resource: NDJSON with a single line
    raise Rejected("JSON of no supported kind (expected a FHIR Bundle or resource, a Bulk Data "
                   "manifest or Open mHealth data points)")


def detect(path: Path) -> Detected:
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head.strip():
        raise Rejected("the file is empty")
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip(path)
    text = _decode_head(head, path).lstrip()
    if text.startswith("<"):
        if "<HealthData" in text or "<!DOCTYPE HealthData" in text:
            return Detected("apple-health", "xml")
        raise Rejected("XML that is not an Apple Health export (no <HealthData> element)")
    if text.startswith(("{", "[")):
        return _detect_json(path, text)
    from ingestion.load.vendors import match_vendor  # deferred: the registry imports little else

    first_line = text.splitlines()[0] if text else ""
    vendor = match_vendor(first_line)
    if vendor:
        return Detected("device-csv", vendor.name)
    raise Rejected("not a supported kind (FHIR NDJSON or Bundle, Bulk Data manifest, Open mHealth, "
                   "Apple Health export, or a device CSV with a registered vendor header)")


def _detect_json(path: Path, text: str) -> Detected:
    lines = [line for line in text.splitlines()[:6] if line.strip()]
    complete = lines[:-1] if len(text) == HEAD_BYTES else lines
    for line in complete[:5]:
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict) and "resourceType" in doc and doc.get("resourceType") != "Bundle":
            return Detected("fhir-ndjson")
        if len(lines) == 1:
            return _classify_document(doc, path)
        break
    if path.stat().st_size > MAX_JSON_DOCUMENT_BYTES:
        raise Rejected(f"a JSON document larger than {MAX_JSON_DOCUMENT_BYTES >> 20} MiB; send "
                       f"bulk data as NDJSON")
    try:
        with open(path, encoding="utf-8-sig") as handle:
            doc = json.load(handle)
    except UnicodeDecodeError:
        raise Rejected("not UTF-8 text; FHIR and device files must be UTF-8") from None
    except ValueError as exc:
        if any(_parses_as_resource(line) for line in lines):
            return Detected("fhir-ndjson")  # NDJSON whose first line is broken
        raise Rejected(f"invalid JSON ({exc})") from None
    return _classify_document(doc, path)


def _parses_as_resource(line: str) -> bool:
    try:
        doc = json.loads(line)
    except ValueError:
        return False
    return isinstance(doc, dict) and "resourceType" in doc


def _detect_zip(path: Path) -> Detected:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise Rejected(f"a damaged zip archive ({exc})") from None
    if any(name.replace("\\", "/").rsplit("/", 1)[-1] == "export.xml" for name in names):
        return Detected("apple-health", "zip")
    raise Rejected("a zip archive without an Apple Health export.xml")
