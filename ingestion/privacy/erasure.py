"""Erasure (GDPR article 17) across the pipeline's stores: landing files, raw, quarantine, every
modelled table, published snapshots and logs.

DuckDB keeps deleted bytes in free blocks until they are reused, so after deleting rows the warehouse
is rewritten into a fresh file (`COPY FROM DATABASE`) that replaces the old one. Snapshots are
immutable by design, so every existing snapshot is deleted; the caller republishes from the scrubbed
warehouse. What is recorded of the erasure itself holds counts and a random id, never the person's data.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingestion.errors import IngestionError
from ingestion.warehouse import connect

# Columns through which modelled tables point at a person (pseudonymised or not).
PERSON_COLUMNS = ("patient_key", "patient_id", "person_source_value", "person_id")
TEXT_SUFFIXES = {".ndjson", ".json", ".csv", ".xml", ".log", ".txt", ".jsonl"}
SAFE_ID = re.compile(r"^[A-Za-z0-9\-\.]{1,64}$")  # FHIR id syntax


@dataclass
class ErasureReport:
    erasure_id: str
    erased_at: str
    warehouse_rows: dict[str, int] = field(default_factory=dict)
    landing_files_removed: int = 0
    landing_files_rewritten: int = 0
    snapshots_removed: int = 0
    log_files_redacted: int = 0

    def as_record(self) -> dict:
        return asdict(self)


def person_identifiers(con, patient_id: str) -> list[str]:
    """Strings that identify the person in raw: the id plus the Patient's identifiers, names and telecoms."""
    found = {patient_id}
    rows = con.execute(
        "select resource::varchar from raw.fhir_resources where resource_type = 'Patient' and resource_id = ?",
        [patient_id],
    ).fetchall()
    for (text,) in rows:
        patient = json.loads(text)
        found.update(i.get("value") for i in patient.get("identifier", []) if i.get("value"))
        found.update(t.get("value") for t in patient.get("telecom", []) if t.get("value"))
        for name in patient.get("name", []):
            family = name.get("family")
            if family and len(family) > 2:
                found.add(f"{' '.join(name.get('given', []))} {family}".strip())
    return sorted(s for s in found if s)


def patient_key_for(patient_id: str) -> str:
    """The warehouse's pseudonym for a FHIR Patient id, with the source dbt uses (dbt_project.yml)."""
    import yaml

    from ingestion.pseudonym import pseudonym_key

    project = yaml.safe_load((Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml").read_text())
    return pseudonym_key(project["vars"]["patient_key_source"], patient_id)


def omop_person_id(patient_key: str | None) -> int | None:
    """The OMOP person_id of a patient key, as the dbt macro omop_id makes it (the first 60 bits);
    None for a key that is not hex (no OMOP row can carry it)."""
    try:
        return int(patient_key[:15], 16) if patient_key else None
    except ValueError:
        return None


def erase_warehouse(warehouse: Path, patient_id: str, patient_key: str | None) -> dict[str, int]:
    """Delete the person from every table of the warehouse, then rewrite the file without free blocks."""
    counts: dict[str, int] = {}
    con = connect(warehouse)
    try:
        con.execute("begin transaction")
        reference = f"Patient/{patient_id}"
        counts["raw.fhir_resources"] = _delete(
            con,
            "raw.fhir_resources",
            "patient_id = $id or (resource_type = 'Patient' and resource_id = $id) "
            "or contains(resource::varchar, $ref)",
            {"id": patient_id, "ref": f'"{reference}"'},
        )
        counts["raw.device_observations"] = _delete(con, "raw.device_observations", "patient_id = $id", {"id": patient_id})
        counts["quarantine.records"] = _delete(
            con,
            "quarantine.records",
            "contains(coalesce(content, ''), $id) or contains(source_file, $dir)",
            {"id": patient_id, "dir": f"patient={patient_id}"},
        )
        # File names can carry the id too (a hospital's per-patient Bundle, patient=<id>/ folders).
        con.execute(
            "update raw.load_log set source_file = '[erased]', patient_id = null "
            "where patient_id = $id or contains(source_file, $id)",
            {"id": patient_id},
        )
        for table in ("raw.fhir_resources", "raw.device_observations", "quarantine.records"):
            con.execute(f"update {table} set source_file = '[erased]' where contains(source_file, $id)", {"id": patient_id})
        for schema, table, column in _person_columns(con):
            value = {"patient_key": patient_key, "person_source_value": patient_key,
                     "person_id": omop_person_id(patient_key), "patient_id": patient_id}[column]
            if value is None:
                continue
            name = f'"{schema}"."{table}"'
            counts[f"{schema}.{table}"] = counts.get(f"{schema}.{table}", 0) + _delete(
                con, name, f'"{column}" = $v', {"v": value}
            )
        con.execute("commit")
        con.execute("checkpoint")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.close()
    _rewrite_database(warehouse)
    return {k: v for k, v in counts.items() if v}


def _delete(con, table: str, where: str, params: dict) -> int:
    return con.execute(f"delete from {table} where {where}", params).fetchone()[0]


def _person_columns(con) -> list[tuple[str, str, str]]:
    return con.execute(
        """
        select c.table_schema, c.table_name, c.column_name
        from information_schema.columns c
        join information_schema.tables t using (table_catalog, table_schema, table_name)
        where t.table_type = 'BASE TABLE'
          and c.table_schema not in ('raw', 'quarantine')
          and c.column_name in ?
        order by 1, 2, 3
        """,
        [list(PERSON_COLUMNS)],
    ).fetchall()


def _rewrite_database(path: Path) -> None:
    fresh = path.with_name(path.name + ".erasure-tmp")
    fresh.unlink(missing_ok=True)
    con = connect(path)
    try:
        con.execute(f"attach '{fresh}' as fresh")
        con.execute(f'copy from database "{_catalog(con)}" to fresh')
        con.execute("detach fresh")
    finally:
        con.close()
    os.replace(fresh, path)
    Path(str(path) + ".wal").unlink(missing_ok=True)


def _catalog(con) -> str:
    return con.execute("select current_database()").fetchone()[0]


def erase_landing(landing_dir: Path, patient_id: str, identifiers: list[str]) -> tuple[int, int]:
    """Remove the person's own files and rewrite shared files (NDJSON lines, Bundle entries) without them."""
    removed = rewritten = 0
    if not landing_dir.exists():
        return 0, 0
    own_dir = f"patient={patient_id}"
    for path in sorted(landing_dir.rglob("*")):
        if not path.is_file():
            continue
        if own_dir in path.parts or path.stem == patient_id:
            path.unlink()
            removed += 1
            continue
        if path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        if _rewrite_without(path, patient_id, identifiers):
            rewritten += 1
    for directory in sorted(landing_dir.rglob(own_dir), reverse=True):
        shutil.rmtree(directory, ignore_errors=True)
    return removed, rewritten


def _rewrite_without(path: Path, patient_id: str, identifiers: list[str]) -> bool:
    data = path.read_bytes()
    needles = [s.encode() for s in identifiers]
    if not any(n in data for n in needles):
        return False
    text = data.decode("utf-8", errors="replace")
    if path.suffix.lower() == ".json" and text.lstrip().startswith("{"):
        document = json.loads(text)
        if document.get("resourceType") == "Bundle":
            entries = document.get("entry", [])
            document["entry"] = [e for e in entries if not _mentions(json.dumps(e), identifiers)]
            new_text = json.dumps(document, separators=(",", ":"))
        else:
            new_text = ""
    else:
        lines = text.splitlines(keepends=True)
        new_text = "".join(line for line in lines if not _mentions(line, identifiers))
    tmp = path.with_name(path.name + ".erasure-tmp")
    tmp.write_text(new_text, encoding="utf-8")
    os.replace(tmp, path)
    return True


def _mentions(text: str, identifiers: list[str]) -> bool:
    return any(s in text for s in identifiers)


def erase_snapshots(snapshot_dir: Path) -> int:
    """Snapshots are immutable copies of old data: all of them go; the caller republishes."""
    if not snapshot_dir.exists():
        return 0
    removed = 0
    for path in snapshot_dir.iterdir():
        if path.is_file() and (path.suffix == ".duckdb" or path.name in ("CURRENT", "CURRENT.tmp")):
            path.unlink()
            removed += 1
    return removed


def redact_logs(log_dirs: list[Path], identifiers: list[str]) -> int:
    redacted = 0
    pattern = re.compile("|".join(re.escape(s) for s in identifiers))
    for directory in log_dirs:
        if not directory.exists():
            continue
        for path in directory.rglob("*"):
            if not path.is_file() or path.suffix.lower() not in TEXT_SUFFIXES | {""}:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if pattern.search(text):
                path.write_text(pattern.sub("[erased]", text), encoding="utf-8")
                redacted += 1
    return redacted


def erase_person(
    patient_id: str,
    *,
    warehouse: Path,
    landing_dir: Path,
    snapshot_dir: Path,
    log_dirs: list[Path] = (),
    patient_key: str | None = None,
    extra_identifiers: list[str] = (),
    ledger: Path | None = None,
) -> ErasureReport:
    """Remove one person (FHIR Patient id) from every store the pipeline writes."""
    if not SAFE_ID.match(patient_id):
        raise IngestionError(f"not a FHIR Patient id: {patient_id!r}")
    if patient_key is None:
        patient_key = patient_key_for(patient_id)
    identifiers = [patient_id]
    if warehouse.exists():
        with connect(warehouse, read_only=True) as con:
            if con.execute("select count(*) from information_schema.tables where table_schema='raw' and table_name='fhir_resources'").fetchone()[0]:
                identifiers = person_identifiers(con, patient_id)
    identifiers = sorted(set(identifiers) | {s for s in extra_identifiers if s and len(s) > 2})
    report = ErasureReport(erasure_id=str(uuid.uuid4()), erased_at=datetime.now(UTC).isoformat(timespec="seconds"))
    if warehouse.exists():
        report.warehouse_rows = erase_warehouse(warehouse, patient_id, patient_key)
    report.landing_files_removed, report.landing_files_rewritten = erase_landing(landing_dir, patient_id, identifiers)
    report.snapshots_removed = erase_snapshots(snapshot_dir)
    report.log_files_redacted = redact_logs(list(log_dirs), identifiers)
    if ledger is not None:
        ledger.parent.mkdir(parents=True, exist_ok=True)
        with ledger.open("a", encoding="utf-8") as out:
            out.write(json.dumps(report.as_record()) + "\n")
    return report
