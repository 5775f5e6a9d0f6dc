"""Generate the whole synthetic tree in chunks of patients, merged in patient order.

Each chunk writes its patients' files and a shard of rows (see shards.py); the orchestrator
appends the shards to the cohort's files in order, so memory stays bounded and the output is
byte-identical for any chunk size or number of worker processes.
"""

from __future__ import annotations

import math
import shutil
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import IO

from ingestion.errors import IngestionError
from ingestion.synth import fhir_clinical
from ingestion.synth.app_content import INTERACTION_HEADER, publish_catalogue
from ingestion.synth.centres import CENTRES
from ingestion.synth.config import DEFAULT_END_DATE, Summary, SynthConfig
from ingestion.synth.episodes import GROUND_TRUTH_HEADER
from ingestion.synth.files import finish, part_path
from ingestion.synth.ndjson import RESOURCE_TYPES, dumps, write_manifest
from ingestion.synth.shards import GROUND_TRUTH_ROWS, INTERACTION_ROWS, generate_chunk

__all__ = ["DEFAULT_END_DATE", "Summary", "SynthConfig", "generate"]

# What a run owns and replaces; anything else in the folder (say, the pipeline's backend exports
# in a landing zone) is left alone.
OWNED = (
    "fhir/bulk",
    "fhir/bundles",
    "devices/open-mhealth",
    "devices/apple-health",
    "devices/csv",
    "ground_truth",
    "app",
    ".shards",
)
MARKER = ".synth"
MAX_CHUNK = 250


def _prepare(out: Path) -> None:
    """Replace a previous cohort's files; refuse a non-empty folder that never held one."""
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise IngestionError(
                f"{out} is not empty and holds no synthetic cohort: choose a new --out directory"
            )
        for owned in OWNED:
            if (out / owned).is_dir():
                shutil.rmtree(out / owned)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by python -m ingestion synth\n", encoding="utf-8")


def _chunks(config: SynthConfig) -> list[tuple[int, int]]:
    # Small enough for steady progress and for every worker to stay busy; any size gives the same tree.
    size = max(1, min(MAX_CHUNK, math.ceil(config.patients / (config.workers * 8))))
    return [
        (start, min(start + size, config.patients)) for start in range(0, config.patients, size)
    ]


def _run_chunk(job: tuple[SynthConfig, int, int, Path]) -> Summary:
    config, start, stop, shard = job
    shard.mkdir(parents=True, exist_ok=True)
    return generate_chunk(config, start, stop, shard)


def _results(config: SynthConfig, jobs: list) -> Iterator[Summary]:
    if config.workers == 1:
        yield from map(_run_chunk, jobs)
        return
    with ProcessPoolExecutor(max_workers=config.workers) as pool:
        yield from pool.map(_run_chunk, jobs)


class _Merged:
    """The cohort-wide files, appended to shard by shard."""

    def __init__(self, config: SynthConfig):
        self.config = config
        self.bulk_dir = config.out / "fhir" / "bulk"
        self.bulk_dir.mkdir(parents=True, exist_ok=True)
        self.handles: dict[Path, IO[bytes]] = {}
        self.truth = config.out / "ground_truth" / "episodes.csv"
        self.interactions = config.out / "app" / "interactions.csv"
        self._start(self.truth, ",".join(GROUND_TRUTH_HEADER) + "\n")
        if config.app_content:
            self._start(self.interactions, ",".join(INTERACTION_HEADER) + "\n")
        organizations = "".join(
            dumps(fhir_clinical.organization(c, config.export_time)) + "\n" for c in CENTRES
        )
        self._start(self.bulk_dir / "Organization.ndjson", organizations)

    def _start(self, path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handles[path] = open(part_path(path), "wb")  # noqa: SIM115 - closed in close()
        self.handles[path].write(text.encode("utf-8"))

    def _append(self, path: Path, source: Path) -> None:
        if not source.exists():
            return
        if path not in self.handles:
            self._start(path, "")
        with open(source, "rb") as shard_file:
            shutil.copyfileobj(shard_file, self.handles[path], 1 << 20)

    def add_shard(self, shard: Path) -> None:
        for resource_type in RESOURCE_TYPES[1:]:
            self._append(
                self.bulk_dir / f"{resource_type}.ndjson", shard / f"{resource_type}.ndjson"
            )
        self._append(self.truth, shard / GROUND_TRUTH_ROWS)
        if self.config.app_content:
            self._append(self.interactions, shard / INTERACTION_ROWS)
        shutil.rmtree(shard)

    def close(self, counts: dict[str, int]) -> None:
        for path, handle in self.handles.items():
            handle.close()
            finish(path)
        write_manifest(
            self.bulk_dir, counts, self.config.export_time
        )  # last: the export is complete


def generate(config: SynthConfig, progress: bool = False) -> Summary:
    if config.patients < 1 or config.days < 1 or config.workers < 1:
        raise IngestionError("--patients, --days and --workers must be at least 1")
    out = config.out
    _prepare(out)
    (out / "fhir" / "bundles").mkdir(parents=True, exist_ok=True)
    if config.app_content:
        publish_catalogue(out / "app", config.seed, config.window_start, config.days)
    merged = _Merged(config)
    summary = Summary()
    summary.add("Organization", len(CENTRES))
    jobs = [
        (config, start, stop, out / ".shards" / f"{n:06d}")
        for n, (start, stop) in enumerate(_chunks(config))
    ]
    started = last_report = time.monotonic()
    for (_, _, _, shard), chunk in zip(jobs, _results(config, jobs), strict=True):
        merged.add_shard(shard)
        summary.merge(chunk)
        now = time.monotonic()
        if progress and (now - last_report > 2 or summary.patients == config.patients):
            last_report = now
            rate = summary.total_records / max(now - started, 1e-9)
            print(
                f"synth: {summary.patients}/{config.patients} patients, "
                f"{summary.total_records:,} records ({rate:,.0f}/s)",
                file=sys.stderr,
                flush=True,
            )
    (out / ".shards").rmdir()
    merged.close({t: summary.records.get(t, 0) for t in RESOURCE_TYPES})
    return summary
