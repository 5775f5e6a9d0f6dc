"""The device CSV vendor registry: one declarative entry per vendor export format.

To add a vendor, append a Vendor below (see ingestion/README.md, "How to add a device vendor"):
its header signature (the exact column names that identify the export), delimiter, decimal
separator, how date and time are written, the time zone of naive times, and which column carries
which measure (LOINC) in which unit. Nothing else in the loader changes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    loinc: str
    unit: str


@dataclass(frozen=True)
class Vendor:
    name: str
    device: str
    delimiter: str
    date_column: str
    date_format: str  # strptime format of the date column (or of date + " " + time)
    columns: dict[str, Column]  # CSV column -> measure
    time_column: str | None = None
    decimal_comma: bool = False
    timezone: str = "Europe/Brussels"  # naive vendor times are local wall-clock times
    extra_columns: frozenset[str] = field(default_factory=frozenset)  # present, not loaded

    @property
    def signature(self) -> frozenset[str]:
        names = {self.date_column, *self.columns, *self.extra_columns}
        if self.time_column:
            names.add(self.time_column)
        return frozenset(names)


VENDORS = [
    Vendor("omron-blood-pressure", "Omron blood pressure monitor", ",", "Date", "%d/%m/%Y %H:%M",
           {"Systolic (mmHg)": Column("8480-6", "mm[Hg]"), "Diastolic (mmHg)": Column("8462-4", "mm[Hg]"),
            "Pulse (bpm)": Column("8867-4", "/min")}, time_column="Time"),
    Vendor("beurer-blood-pressure", "Beurer blood pressure monitor", ";", "Datum", "%d.%m.%Y %H:%M",
           {"Systole (mmHg)": Column("8480-6", "mm[Hg]"), "Diastole (mmHg)": Column("8462-4", "mm[Hg]"),
            "Puls (1/min)": Column("8867-4", "/min")}, time_column="Uhrzeit",
           extra_columns=frozenset({"Kommentar"})),
    Vendor("withings-weight-kg", "Withings scale", ",", "Date", "%Y-%m-%d %H:%M:%S",
           {"Weight (kg)": Column("29463-7", "kg")}, extra_columns=frozenset({"Fat mass (kg)"})),
    Vendor("withings-weight-kg-eu", "Withings scale", ";", "Date", "%Y-%m-%d %H:%M:%S",
           {"Weight (kg)": Column("29463-7", "kg")}, decimal_comma=True,
           extra_columns=frozenset({"Fat mass (kg)"})),
    Vendor("withings-weight-lb", "Withings scale", ",", "Date", "%Y-%m-%d %H:%M:%S",
           {"Weight (lb)": Column("29463-7", "[lb_av]")}, extra_columns=frozenset({"Fat mass (lb)"})),
    Vendor("withings-weight-lb-eu", "Withings scale", ";", "Date", "%Y-%m-%d %H:%M:%S",
           {"Weight (lb)": Column("29463-7", "[lb_av]")}, decimal_comma=True,
           extra_columns=frozenset({"Fat mass (lb)"})),
    Vendor("kinsa-thermometer", "Kinsa smart thermometer", ",", "Date", "%m/%d/%Y %I:%M %p",
           {"Temperature (F)": Column("8310-5", "[degF]")}, time_column="Time", timezone="UTC"),
]


def header_of(line: str, vendor: Vendor) -> list[str]:
    return [c.strip() for c in next(csv.reader(io.StringIO(line), delimiter=vendor.delimiter))]


def match_vendor(first_line: str) -> Vendor | None:
    """The vendor whose header signature is exactly this file's header (delimiter included)."""
    line = first_line.lstrip("\ufeff").strip()
    for vendor in VENDORS:
        if vendor.delimiter in line and frozenset(header_of(line, vendor)) == vendor.signature:
            return vendor
    return None


BY_NAME = {v.name: v for v in VENDORS}
