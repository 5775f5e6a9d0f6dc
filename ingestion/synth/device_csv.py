"""Home-device CSV exports with vendor-style headers and the patient's local conventions.

`devices/csv/patient=<id>/<vendor>-<kind>.csv`, one file per device. Column sets (the loaders'
per-vendor mappings must match these exactly):

| file | separator, decimal | columns | date / time format |
|---|---|---|---|
| `omron-blood-pressure.csv` | `,` | `Date,Time,Systolic (mmHg),Diastolic (mmHg),Pulse (bpm)` | `05/01/2026` (day first), `08:12` |
| `beurer-blood-pressure.csv` | `;` | `Datum;Uhrzeit;Systole (mmHg);Diastole (mmHg);Puls (1/min);Kommentar` | `05.01.2026`, `08:12` |
| `withings-weight.csv` | `,` and `.` for English locales, `;` and `,` otherwise | `Date`, `Weight (kg)` or `Weight (lb)`, `Fat mass (kg)` or `Fat mass (lb)` | `2026-01-05 07:12:00` (local time) |

All times are the patient's local wall-clock time without an offset, as the vendor apps write them.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO

from ingestion.synth.apple_health import LB_PER_KG
from ingestion.synth.cohort import Patient
from ingestion.synth.files import finish, part_path
from ingestion.synth.vitals import Reading

VENDOR_COLUMNS = {
    "omron-blood-pressure": ["Date", "Time", "Systolic (mmHg)", "Diastolic (mmHg)", "Pulse (bpm)"],
    "beurer-blood-pressure": [
        "Datum",
        "Uhrzeit",
        "Systole (mmHg)",
        "Diastole (mmHg)",
        "Puls (1/min)",
        "Kommentar",
    ],
    "withings-weight-kg": ["Date", "Weight (kg)", "Fat mass (kg)"],
    "withings-weight-lb": ["Date", "Weight (lb)", "Fat mass (lb)"],
}
BEURER_LANGUAGES = ("de", "nl", "pl")


class DeviceCsvWriter:
    def __init__(self, directory: Path, patient: Patient):
        self.directory = directory
        self.patient = patient
        self.english = patient.language == "en"
        self.bp_vendor = (
            "beurer" if patient.language in BEURER_LANGUAGES and patient.index % 2 == 0 else "omron"
        )
        self.fat_share = (
            0.22 + (patient.index % 10) / 100 + (0.08 if patient.sex == "female" else 0)
        )
        self.handles: dict[str, IO[str]] = {}
        self.writers: dict[str, csv.writer] = {}

    def _writer(self, name: str, columns: list[str], delimiter: str):
        if name not in self.writers:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = part_path(self.directory / f"{name}.csv")
            handle = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed in close()
            self.handles[name] = handle
            self.writers[name] = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
            self.writers[name].writerow(columns)
        return self.writers[name]

    def add(self, reading: Reading) -> None:
        moment = reading.start
        if reading.measure == "blood_pressure":
            systolic, diastolic, pulse = reading.value
            if self.bp_vendor == "omron":
                writer = self._writer(
                    "omron-blood-pressure", VENDOR_COLUMNS["omron-blood-pressure"], ","
                )
                writer.writerow(
                    [
                        moment.strftime("%d/%m/%Y"),
                        moment.strftime("%H:%M"),
                        systolic,
                        diastolic,
                        pulse,
                    ]
                )
            else:
                writer = self._writer(
                    "beurer-blood-pressure", VENDOR_COLUMNS["beurer-blood-pressure"], ";"
                )
                writer.writerow(
                    [
                        moment.strftime("%d.%m.%Y"),
                        moment.strftime("%H:%M"),
                        systolic,
                        diastolic,
                        pulse,
                        "",
                    ]
                )
        elif reading.measure == "weight":
            lb = self.patient.imperial_weight
            factor = LB_PER_KG if lb else 1.0
            columns = VENDOR_COLUMNS["withings-weight-lb" if lb else "withings-weight-kg"]
            writer = self._writer("withings-weight", columns, "," if self.english else ";")
            weight = round(float(reading.value) * factor, 1)
            fat = round(float(reading.value) * self.fat_share * factor, 1)
            writer.writerow(
                [moment.strftime("%Y-%m-%d %H:%M:%S"), self._decimal(weight), self._decimal(fat)]
            )
        else:
            raise ValueError(f"no home-device CSV carries {reading.measure}")

    def _decimal(self, value: float) -> str:
        text = f"{value:.1f}"
        return text if self.english else text.replace(".", ",")

    def close(self) -> None:
        for name, handle in self.handles.items():
            handle.close()
            finish(self.directory / f"{name}.csv")
