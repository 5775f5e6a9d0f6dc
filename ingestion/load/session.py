"""One file, one transaction: the load_log row, quarantine writes and the commit all happen together.

A load killed mid-way (kill -9) leaves no trace, because nothing is committed before the end; a
file that is rejected leaves only its load_log row, written after the rollback.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ingestion.load.report import REASONS, FileReport
from ingestion.load.staging import staged_json, values_sql

QUARANTINE_CONTENT_MAX = 1 << 20  # 1 MiB, as the quarantine.records contract says
_CHECKSUMS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="file-sha256")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256_soon(path: Path) -> Future:
    """The file's sha256, computed in a thread while the load works (hashlib releases the GIL, so
    the read and hash of a large file overlap DuckDB's work instead of preceding it)."""
    return _CHECKSUMS.submit(file_sha256, path)


@contextmanager
def memory_limit(con, limit: str) -> Iterator[None]:
    """DuckDB's memory_limit lowered for a block (it is the database's setting), then restored."""
    before = con.execute("select current_setting('memory_limit')").fetchone()[0]
    con.execute(f"set memory_limit = '{limit}'")
    try:
        yield
    finally:
        con.execute(f"set memory_limit = '{before}'")


def drop_repeats_within_load(con, table: str, load_id: str) -> int:
    """Delete the second and later copies of a content_hash that one load inserted; how many.

    Raw tables carry no unique index (maintaining one costs more than the rest of a bulk load):
    a load skips what raw held before it with an anti-join, and a file repeating a record itself,
    which is rare, is tidied here, inside the same transaction, keeping the first copy.
    """
    # A 64-bit hash of the hash is a cheap first look: it can only under-count distinct values, so
    # it never misses a repeat, and the exact delete below counts what it removes.
    maybe = con.execute(f"select count(*) > count(distinct hash(content_hash)) from {table} where load_id = ?",
                        [load_id]).fetchone()[0]
    if not maybe:
        return 0
    return con.execute(f"""
        delete from {table} where load_id = $id and rowid in (
            select rowid from {table} where load_id = $id
            qualify row_number() over (partition by content_hash order by rowid) > 1)
    """, {"id": load_id}).fetchone()[0]


class FileLoad:
    """The state of one file's load inside its transaction."""

    def __init__(self, con, path: Path, kind: str, patient_id: str | None, sha256: str | Future):
        self.con = con
        self.path = path
        self.source_file = str(path)
        self.kind = kind
        self.patient_id = patient_id
        self._sha256 = sha256
        self.load_id = uuid.uuid4().hex
        self.started_at = datetime.now(UTC)
        self.loaded = 0
        self.duplicates = 0
        self.skipped = 0
        self.reasons: Counter = Counter()
        self.notes: list[str] = []

    @property
    def sha256(self) -> str:
        """The file's checksum (waiting for it, when it is still being computed)."""
        if isinstance(self._sha256, Future):
            self._sha256 = self._sha256.result()
        return self._sha256

    # -- quarantine -------------------------------------------------------------------------
    def quarantine_from_table(self, table: str) -> None:
        """Quarantine the rows of a temp table (record_number, reason_code, content) in one go."""
        reasons = values_sql(REASONS.items(), ["code", "text"])
        self.con.execute(
            f"""
            insert into quarantine.records
            select sha256(? || ':' || b.record_number || ':' || coalesce(b.content, '')),
                   ?, ?, ?, b.record_number, b.reason_code, coalesce(r.text, b.reason_code),
                   left(b.content, {QUARANTINE_CONTENT_MAX}), now()
            from {table} b left join {reasons} r on r.code = b.reason_code
            where not exists (
                select 1 from quarantine.records q
                where q.content_hash = sha256(? || ':' || b.record_number || ':' || coalesce(b.content, '')))
            qualify row_number() over (partition by b.record_number, b.content) = 1
            """,
            [self.sha256, self.load_id, self.source_file, self.kind, self.sha256],
        )
        for code, n in self.con.execute(
            f"select reason_code, count(*) from {table} b group by all"
        ).fetchall():
            self.reasons[code] += n

    def quarantine_rows(self, rows: list[tuple[int, str, str]]) -> None:
        """Quarantine (record_number, reason_code, content) rows found in Python."""
        if not rows:
            return
        records = ({"record_number": n, "reason_code": code, "content": content}
                   for n, code, content in rows)
        columns = {"record_number": "BIGINT", "reason_code": "VARCHAR", "content": "VARCHAR"}
        with staged_json(records, columns) as relation:
            self.quarantine_from_table(f"(select * from {relation})")

    @property
    def quarantined(self) -> int:
        return sum(self.reasons.values())

    # -- load log -------------------------------------------------------------------------
    def log(self, status: str, message: str, duration_s: float) -> None:
        self.con.execute(
            """
            insert into raw.load_log values (?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?, ?, ?)
            """,
            [self.load_id, self.source_file, self.sha256, self.kind, self.patient_id,
             self.started_at, status, self.loaded, self.duplicates, self.quarantined,
             duration_s, message],
        )

    def report(self, duration_s: float) -> FileReport:
        return FileReport(
            path=self.source_file, kind=self.kind, load_id=self.load_id, loaded=self.loaded,
            duplicates=self.duplicates, quarantined=self.quarantined, message="; ".join(self.notes),
            duration_s=duration_s, reasons=Counter(self.reasons), skipped=self.skipped,
        )


def log_rejection(con, path: Path, kind: str | None, patient_id: str | None, sha256: str | None,
                  message: str, started: float) -> FileReport:
    """Record a rejected file in raw.load_log (in its own transaction) and report it."""
    load_id = uuid.uuid4().hex
    duration = time.perf_counter() - started
    con.execute(
        """
        insert into raw.load_log
        values (?, ?, ?, ?, ?, now() - to_microseconds(?::bigint), now(), 'rejected', 0, 0, 0, ?, ?)
        """,
        [load_id, str(path), sha256, kind, patient_id, int(duration * 1e6), duration, message],
    )
    return FileReport(path=str(path), kind=kind, load_id=load_id, rejected=True, message=message,
                      duration_s=duration)
