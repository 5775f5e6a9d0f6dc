"""Per-patient device outputs: one writer per delivery route, opened on first use."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from ingestion.synth.apple_health import AppleHealthWriter
from ingestion.synth.cohort import Patient
from ingestion.synth.device_csv import DeviceCsvWriter
from ingestion.synth.omh import OpenMHealthWriter
from ingestion.synth.vitals import Reading

PLATFORM_NAMES = ("Fitbit-like", "Garmin-like", "Withings-like")


class PatientDevices:
    def __init__(self, root: Path, patient: Patient, export_day: date):
        self.root = root
        self.patient = patient
        self.export_day = export_day
        self.omh: OpenMHealthWriter | None = None
        self.apple: AppleHealthWriter | None = None
        self.csv: DeviceCsvWriter | None = None

    def _folder(self, kind: str) -> Path:
        return self.root / kind / f"patient={self.patient.patient_id}"

    def add(self, target: str, reading: Reading) -> None:
        if target == "open-mhealth":
            if self.omh is None:
                platform = PLATFORM_NAMES[self.patient.index % len(PLATFORM_NAMES)]
                self.omh = OpenMHealthWriter(
                    self._folder("open-mhealth"), self.patient.patient_id, platform
                )
            self.omh.add(reading)
        elif target == "apple-health":
            if self.apple is None:
                # The survivor exports the morning after the window closes, in local time.
                tz = ZoneInfo(self.patient.centre.timezone)
                export_time = datetime.combine(self.export_day, time(8, 30), tz)
                self.apple = AppleHealthWriter(
                    self._folder("apple-health") / "export.zip", self.patient, export_time
                )
            self.apple.add(reading)
        elif target == "csv":
            if self.csv is None:
                self.csv = DeviceCsvWriter(self._folder("csv"), self.patient)
            self.csv.add(reading)
        else:
            raise ValueError(f"unknown device route {target}")

    def close(self) -> None:
        if self.omh is not None:
            self.omh.flush()
        if self.apple is not None:
            self.apple.close()
        if self.csv is not None:
            self.csv.close()


class DeviceSinks:
    """Where every patient's device folders go (`<out>/devices`)."""

    def __init__(self, directory: Path):
        self.directory = directory

    def open_patient(self, patient: Patient, export_day: date) -> PatientDevices:
        return PatientDevices(self.directory, patient, export_day)
