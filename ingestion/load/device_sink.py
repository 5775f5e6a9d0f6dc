"""Device readings (Open mHealth, Apple Health, vendor CSV) into raw.device_observations.

Parsers hand over one reading at a time; the sink normalises its unit (units.py), checks its date,
quarantines what fails, and stages the rest for one insert.
content_hash = sha256(patient | source kind | LOINC | canonical original record), so a reading
loaded twice is a duplicate however the file around it changed.

Readings are staged in a temporary NDJSON file and inserted in one statement at the end, in the
file's one transaction: the Python side stays flat however large the export, and DuckDB works
within DUCKDB_MEMORY, spilling to disk beyond it (bench_ingest.py measures a 1 GB export).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Self

from ingestion.load.session import FileLoad, drop_repeats_within_load, memory_limit
from ingestion.load.staging import StagedRows
from ingestion.load.units import UnitError, normalise

BATCH_ROWS = 50_000
# DuckDB's working memory for the insert, the anti-join and the in-file repeat check: beyond it,
# they spill to the warehouse's .tmp folder, so an export of several GB loads in bounded memory.
DUCKDB_MEMORY = "256MB"
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_COLUMNS = {
    "loinc_code": "VARCHAR", "device": "VARCHAR", "effective_start": "TIMESTAMPTZ",
    "effective_end": "TIMESTAMPTZ", "value": "DOUBLE", "unit": "VARCHAR", "original_value": "VARCHAR",
    "original_unit": "VARCHAR", "original": "VARCHAR",
}


def canonical(record) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class DeviceSink:
    def __init__(self, ctx: FileLoad, source_kind: str, batch_rows: int = BATCH_ROWS):
        self.ctx = ctx
        self.source_kind = source_kind
        self.batch_rows = batch_rows
        self.rows = StagedRows(_COLUMNS)
        self.bad: list[tuple[int, str, str]] = []
        self.latest = datetime.now(UTC) + timedelta(days=1)
        self._last_bad: tuple[int, str] | None = None

    def quarantine(self, record_number: int, code: str, original) -> None:
        # A record yielding several readings (a blood pressure row) is quarantined once per reason.
        if (record_number, code) == self._last_bad:
            return
        self._last_bad = (record_number, code)
        self.bad.append((record_number, code, original if isinstance(original, str) else canonical(original)))
        if len(self.bad) >= self.batch_rows:
            self._flush_bad()

    def add(self, record_number: int, loinc: str, start: datetime | None, end: datetime | None,
            value, unit: str | None, original, device: str | None = None,
            period_days: float | None = None) -> None:
        """One reading; `period_days` turns a count over several days into a per-day rate."""
        if start is None or start.tzinfo is None or not EARLIEST <= start <= self.latest or (
                end is not None and (end.tzinfo is None or end < start or end > self.latest)):
            self.quarantine(record_number, "impossible-date", original)
            return
        try:
            number, target_unit = normalise(loinc, value, unit)
        except UnitError as exc:
            self.quarantine(record_number, exc.code, original)
            return
        if period_days and period_days > 1:
            number = number / period_days
        self.rows.write({
            "loinc_code": loinc, "device": device, "effective_start": start.isoformat(),
            "effective_end": end.isoformat() if end else None, "value": number, "unit": target_unit,
            "original_value": None if value is None else str(value), "original_unit": unit,
            "original": original if isinstance(original, str) else canonical(original),
        })

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._flush_rows()
                self._flush_bad()
        finally:
            self.rows.close()

    def _flush_bad(self) -> None:
        self.ctx.quarantine_rows(self.bad)
        self.bad = []

    def _flush_rows(self) -> None:
        if not self.rows.count:
            return
        ctx, count = self.ctx, self.rows.count
        with memory_limit(ctx.con, DUCKDB_MEMORY):
            inserted = self._insert() - drop_repeats_within_load(ctx.con, "raw.device_observations", ctx.load_id)
        ctx.loaded += inserted
        ctx.duplicates += count - inserted

    def _insert(self) -> int:
        ctx = self.ctx
        return ctx.con.execute(f"""
            insert into raw.device_observations
            select s.h, ?, ?, s.device, s.loinc_code, s.effective_start, s.effective_end, s.value,
                   s.unit, s.original_value, s.original_unit, ?, ?, now(), s.original::json
            from (select *, sha256(? || '|' || ? || '|' || loinc_code || '|' || original) as h
                  from {self.rows.relation()}) s
            anti join raw.device_observations r on r.content_hash = s.h
        """, [ctx.patient_id, self.source_kind, ctx.source_file, ctx.load_id, ctx.patient_id,
              self.source_kind]).fetchone()[0]
