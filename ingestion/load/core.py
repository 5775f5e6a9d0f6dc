"""Loading files into the raw layer: kind detection, one transaction per file, the load log."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb

from ingestion.load.detect import Detected, detect
from ingestion.load.fhir_types import ID_PATTERN
from ingestion.load.report import FileReport, Rejected
from ingestion.load.session import FileLoad, file_sha256, file_sha256_soon, log_rejection
from ingestion.warehouse import connect, migrate_fhir_content_hashes

DEVICE_KINDS = {"open-mhealth", "apple-health", "device-csv"}
_PATIENT_DIR = re.compile(rf"patient=({ID_PATTERN})")


def patient_from_path(path: Path) -> str | None:
    """The patient named by the deepest Hive-style `patient=<id>` folder of the path."""
    for part in reversed(Path(path).parts):
        match = _PATIENT_DIR.fullmatch(part)
        if match:
            return match.group(1)
    return None


def _run_loader(ctx: FileLoad, detected: Detected, expected_type: str | None) -> None:
    if detected.kind == "fhir-ndjson":
        from ingestion.load.fhir_sql import load_fhir_lines, ndjson_source

        load_fhir_lines(ctx, ndjson_source(ctx.path), expected_type, ndjson_source(ctx.path, numbered=True))
    elif detected.kind == "fhir-bundle":
        from ingestion.load.fhir_bundle import load_bundle

        load_bundle(ctx, detected.document)
    elif detected.kind == "open-mhealth":
        from ingestion.load.openmhealth import load_openmhealth

        load_openmhealth(ctx, detected.document)
    elif detected.kind == "apple-health":
        from ingestion.load.apple_health import load_apple_health

        load_apple_health(ctx, detected.detail)
    elif detected.kind == "device-csv":
        from ingestion.load.device_csv import load_device_csv

        load_device_csv(ctx, detected.detail)
    else:
        raise Rejected(f"no loader for kind {detected.kind}")


def _explain(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "unicode" in text.lower() or "utf-8" in text.lower() or "utf8" in text.lower():
        return "not UTF-8 text; FHIR and device files must be UTF-8"
    return f"cannot be read: {text}"


def load_file(con, path: Path, patient: str | None = None, detected: Detected | None = None,
              expected_type: str | None = None) -> FileReport:
    """Load one file in one transaction; a file that cannot be read is rejected whole."""
    started = time.perf_counter()
    path = Path(path)
    kind = detected.kind if detected else None
    patient_id = patient or patient_from_path(path)
    sha = None
    in_transaction = False
    try:
        detected = detected or detect(path)
        kind = detected.kind
        sha = file_sha256_soon(path)
        if kind in DEVICE_KINDS and not patient_id:
            raise Rejected("no patient: this kind of file carries no identity; pass --patient ID or "
                           "put it under a patient=<FHIR Patient id> folder")
        con.execute("begin transaction")
        in_transaction = True
        ctx = FileLoad(con, path, kind, patient_id if kind in DEVICE_KINDS else None, sha)
        _run_loader(ctx, detected, expected_type)
        duration = time.perf_counter() - started
        ctx.log("loaded", "; ".join(ctx.notes), duration)
        con.execute("commit")
        in_transaction = False
        return ctx.report(duration)
    except (Rejected, duckdb.Error, OSError, ValueError, RecursionError) as exc:
        if in_transaction:
            con.execute("rollback")
        message = str(exc) if isinstance(exc, Rejected) else _explain(exc)
        return log_rejection(con, path, kind, patient_id, _checksum_or_none(sha), message, started)


def expand(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files named, and the files under folders named (recursively, hidden files skipped)."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist")
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*")
                                if p.is_file() and not any(part.startswith(".") for part in p.parts)))
        else:
            files.append(path)
    return files


def load_paths(paths, warehouse=None, patient: str | None = None,
               progress: Callable[[FileReport], None] | None = None) -> list[FileReport]:
    """Load files or folders into the warehouse's raw layer; one FileReport per file.

    Bulk Data manifests are loaded first, and the files they list are loaded through them (with
    their declared resource type) rather than a second time on their own.
    """
    from ingestion.load.manifest import load_manifest
    from ingestion.load.staging import remove_orphans

    files = expand([paths] if isinstance(paths, (str, os.PathLike)) else paths)
    remove_orphans()  # staging files of loads that were killed: they hold patient records
    if isinstance(warehouse, duckdb.DuckDBPyConnection):
        con = warehouse
        migrate_fhir_content_hashes(con)  # connect() does it for the warehouses it opens
    else:
        con = connect(warehouse)
    con.execute("set enable_progress_bar = false")  # reports are ours; DuckDB's bar is noise in logs
    reports: list[FileReport] = []

    def record(report: FileReport) -> None:
        reports.append(report)
        if progress:
            progress(report)

    try:
        detections: dict[Path, Detected | Rejected] = {}
        for file in files:
            try:
                detections[file] = detect(file)
            except Rejected as exc:
                detections[file] = exc
            except OSError as exc:
                detections[file] = Rejected(_explain(exc))
        done: set[Path] = set()
        for file, found in detections.items():
            if isinstance(found, Detected) and found.kind == "bulk-manifest":
                for report, listed in load_manifest(con, file, found.document, patient):
                    done.add(listed.resolve() if listed else file)
                    record(report)
                done.add(file.resolve())
        for file, found in detections.items():
            if file.resolve() in done:
                continue
            if isinstance(found, Rejected):
                record(log_rejection(con, file, None, patient or patient_from_path(file),
                                     _safe_sha(file), str(found), time.perf_counter()))
            else:
                record(load_file(con, file, patient, found))
    finally:
        if con is not warehouse:
            con.close()
    return reports


def _checksum_or_none(sha) -> str | None:
    try:
        return sha.result() if sha is not None else None
    except OSError:
        return None


def _safe_sha(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None
