"""The landing zone's layout: one folder per source kind, files immutable once landed.

    LANDING_DIR/fhir/bulk/                      Bulk Data NDJSON + manifest
    LANDING_DIR/fhir/bundles/                   FHIR Bundles
    LANDING_DIR/fhir/backend-export/<run>/      the backend's $export, pulled every 15 minutes
    LANDING_DIR/devices/open-mhealth/patient=<id>/...
    LANDING_DIR/devices/apple-health/patient=<id>/...
    LANDING_DIR/devices/csv/patient=<id>/...

Device files carry no identity of their own, so the Hive-style `patient=<id>` folder names the
FHIR Patient they belong to. The loader detects each file's kind from its content; the folder
only decides which ingest DAG picks the file up.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

SOURCE_KINDS: dict[str, str] = {
    "fhir-bulk": "fhir/bulk",
    "fhir-bundles": "fhir/bundles",
    "backend-export": "fhir/backend-export",
    "open-mhealth": "devices/open-mhealth",
    "apple-health": "devices/apple-health",
    "device-csv": "devices/csv",
}

# Files still being written (by a copy, a download or a synth run) are not landed yet.
IN_PROGRESS_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload")


def unknown_kinds(kinds) -> list[str]:
    return sorted(set(kinds) - set(SOURCE_KINDS))


def landed_files(landing: Path, kind: str) -> list[Path]:
    """Every landed file of one source kind, in a stable order."""
    root = landing / SOURCE_KINDS[kind]
    if not root.is_dir():
        return []
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
        and not path.name.endswith(IN_PROGRESS_SUFFIXES)
    )


def patient_of(path: Path) -> str | None:
    """The FHIR Patient id from a `patient=<id>` folder in the path, if any."""
    for part in reversed(path.parts[:-1]):
        if part.startswith("patient=") and len(part) > len("patient="):
            return part.split("=", 1)[1]
    return None


def group_by_patient(paths: list[Path]) -> dict[str | None, list[Path]]:
    """Files grouped by the patient their folder names (None: the file names its own)."""
    groups: dict[str | None, list[Path]] = defaultdict(list)
    for path in paths:
        groups[patient_of(path)].append(path)
    return dict(groups)
