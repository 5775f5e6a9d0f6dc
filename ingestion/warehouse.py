"""The warehouse's raw layer: where every source lands, losslessly, before dbt models it.

The tables below are a contract shared by the loaders, the SQL-on-FHIR views, dbt's sources and the
erasure command. Raw never relies on DuckDB's JSON schema inference: each record is kept whole as
one JSON column, and typed columns are extracted downstream.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from ingestion.errors import IngestionError

DEFAULT_WAREHOUSE = "data/warehouse.duckdb"

RAW_DDL = """
create schema if not exists raw;
create schema if not exists quarantine;

-- One row per file the loader was given, whatever became of it.
create table if not exists raw.load_log (
    load_id          varchar primary key,
    source_file      varchar not null,
    file_sha256      varchar,
    file_kind        varchar,
    patient_id       varchar,
    started_at       timestamptz not null,
    finished_at      timestamptz,
    status           varchar not null,   -- running | loaded | rejected
    n_loaded         bigint default 0,
    n_duplicate      bigint default 0,
    n_quarantined    bigint default 0,
    duration_s       double,
    message          varchar
);

-- FHIR R4 resources from any FHIR source (NDJSON, Bundles, the backend's $export).
-- content_hash = md5 of the canonical JSON (32 hex digits), DuckDB's json() of the resource (whitespace
-- removed, numbers and escapes normalised, key order as received): the idempotency key
-- (ingestion/README.md), unique by construction (loads mark-join on it) but not declared so:
-- maintaining a unique index cost more than all the rest of a bulk load. Loaders before it used
-- sha256 (64 hex digits); ensure_raw_schema rewrites such rows (migrate_fhir_content_hashes).
-- The content hashes are stored uncompressed: random hex gains only half its size from DuckDB's
-- string compression, and decompressing it dominated every read of the column (each load's
-- duplicate check, the unique tests of a full dbt build; at 10,000 patients the 27 M device hashes'
-- test took 8.3 CPU s compressed, 4.7 uncompressed). Warehouses created before keep theirs compressed.
create table if not exists raw.fhir_resources (
    content_hash     varchar not null using compression uncompressed,
    resource_type    varchar not null,
    resource_id      varchar not null,
    version_key      varchar,            -- meta.versionId, else meta.lastUpdated, else null
    last_updated     timestamptz,
    patient_id       varchar,            -- FHIR Patient id the resource belongs to (Patient.id for a Patient)
    source_kind      varchar not null,   -- fhir-ndjson | fhir-bundle | bulk-export | ...
    source_file      varchar not null,
    load_id          varchar not null,
    loaded_at        timestamptz not null,
    resource         json not null
);

-- Device and wearable readings that do not arrive as FHIR (Open mHealth, Apple Health, vendor CSV),
-- normalised to CLINICAL_SPEC.md units, with the original value, unit and record kept beside.
-- content_hash = sha256(patient_id | source_kind | loinc_code | original as sorted-key JSON), unique
-- by construction like raw.fhir_resources' (no index: it would hold every hash in memory while loading).
create table if not exists raw.device_observations (
    content_hash     varchar not null using compression uncompressed,
    patient_id       varchar not null,
    source_kind      varchar not null,   -- open-mhealth | apple-health | device-csv
    device           varchar,
    loinc_code       varchar not null,
    effective_start  timestamptz not null,
    effective_end    timestamptz,
    value            double not null,
    unit             varchar not null,   -- UCUM, as in CLINICAL_SPEC.md section 2
    original_value   varchar,
    original_unit    varchar,
    source_file      varchar not null,
    load_id          varchar not null,
    loaded_at        timestamptz not null,
    original         json not null
);

-- Records that failed validation: kept with their reason, never silently dropped.
create table if not exists quarantine.records (
    content_hash     varchar primary key, -- sha256 of source_file checksum + record_number + content
    load_id          varchar not null,
    source_file      varchar not null,
    file_kind        varchar,
    record_number    bigint,              -- line number (NDJSON, CSV) or entry index (Bundle, XML)
    reason_code      varchar not null,    -- e.g. invalid-json, wrong-resource-type, missing-subject
    reason           varchar not null,
    content          varchar,             -- the offending record as received (truncated at 1 MiB)
    quarantined_at   timestamptz not null
);
"""


def warehouse_path(path: str | os.PathLike | None = None) -> Path:
    """The warehouse file: the argument, else WAREHOUSE_PATH, else data/warehouse.duckdb."""
    return Path(path or os.environ.get("WAREHOUSE_PATH") or DEFAULT_WAREHOUSE)


def connect(path: str | os.PathLike | None = None, read_only: bool = False, lock_timeout: float | None = None):
    """Open the warehouse (creating its folder and raw schema when writable).

    DuckDB lets one process hold the file. Airflow's one-slot pool serialises the pipeline's writers,
    but a manual load, an erasure or a test runner that ignores pools can still meet a writer at work:
    rather than fail at once, wait for the lock up to `lock_timeout` seconds (WAREHOUSE_LOCK_TIMEOUT,
    default 300), then fail with a message that says what to do.
    """
    target = warehouse_path(path)
    if not read_only:
        target.parent.mkdir(parents=True, exist_ok=True)
    timeout = float(os.environ.get("WAREHOUSE_LOCK_TIMEOUT", "300")) if lock_timeout is None else lock_timeout
    deadline = time.monotonic() + timeout
    while True:
        try:
            con = duckdb.connect(str(target), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise IngestionError(
                    f"the warehouse {target} is held by another process (a pipeline run?) for more than "
                    f"{timeout:g} s: retry when it is idle, or raise WAREHOUSE_LOCK_TIMEOUT"
                ) from exc
            time.sleep(0.25)
    if not read_only:
        ensure_raw_schema(con)
    return con


def ensure_raw_schema(con) -> None:
    con.execute(RAW_DDL)
    migrate_fhir_content_hashes(con)


def migrate_fhir_content_hashes(con) -> int:
    """Rewrite the sha256 content_hash of FHIR rows loaded before the key became md5 (one statement,
    so all rows or none) to md5 of the same canonical JSON, the stored resource: a resource loaded
    then dedupes against the same resource loaded now. How many rows it rewrote (0 once done: the
    check is a scan of the hash column)."""
    return con.execute("update raw.fhir_resources set content_hash = md5(resource) "
                       "where length(content_hash) = 64").fetchone()[0]
