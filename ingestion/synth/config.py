"""What a synth run is asked for, and what it wrote."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

DEFAULT_END_DATE = date(2026, 11, 1)


@dataclass(frozen=True)
class SynthConfig:
    patients: int
    days: int
    out: Path
    seed: int = 7
    end_date: date = DEFAULT_END_DATE  # exclusive: the window is [end_date - days, end_date)
    app_content: bool = True
    workers: int = 1  # processes; the output is the same for any number

    @property
    def window_start(self) -> date:
        return self.end_date - timedelta(days=self.days)

    @property
    def export_time(self) -> str:
        """The export's transaction time and the resources' lastUpdated: midnight UTC of end_date."""
        return datetime.combine(self.end_date, datetime.min.time(), UTC).isoformat()


@dataclass
class Summary:
    patients: int = 0
    records: dict[str, int] = field(default_factory=dict)
    episodes: int = 0

    def add(self, kind: str, n: int = 1) -> None:
        self.records[kind] = self.records.get(kind, 0) + n

    def merge(self, other: Summary) -> None:
        self.patients += other.patients
        self.episodes += other.episodes
        for kind, n in other.records.items():
            self.add(kind, n)

    @property
    def total_records(self) -> int:
        return sum(self.records.values())
