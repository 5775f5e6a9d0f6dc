"""An iPhone Health app export: `export.zip` holding `apple_health_export/export.xml`.

Written as a stream straight into the zip entry, so a year of a patient's data never sits in
memory. The XML is what the Health app writes, minus its internal DTD: a `HealthData` root with
`ExportDate`, `Me` and one `Record` per sample, dates as "2026-01-05 08:00:00 +0100". Units follow
the phone's region: some patients weigh in lb and measure temperature in degF; SpO2 is a
fraction (0.97), as HealthKit stores it.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ingestion.synth.cohort import Patient
from ingestion.synth.files import finish, part_path
from ingestion.synth.vitals import Reading

ENTRY = "apple_health_export/export.xml"
LB_PER_KG = 2.2046226218
QUANTITY = {
    "steps": "HKQuantityTypeIdentifierStepCount",
    "heart_rate": "HKQuantityTypeIdentifierHeartRate",
    "resting_hr": "HKQuantityTypeIdentifierRestingHeartRate",
    "hrv": "HKQuantityTypeIdentifierHeartRateVariabilitySDNN",
    "weight": "HKQuantityTypeIdentifierBodyMass",
    "temperature": "HKQuantityTypeIdentifierBodyTemperature",
    "spo2": "HKQuantityTypeIdentifierOxygenSaturation",
}
SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
SLEEP_STAGES = (
    ("HKCategoryValueSleepAnalysisAsleepCore", 0.55),
    ("HKCategoryValueSleepAnalysisAsleepDeep", 0.2),
    ("HKCategoryValueSleepAnalysisAsleepREM", 0.25),
)
# Waking hours over which a day's steps are spread, as the phone records walking bouts.
STEP_HOURS = (8, 10, 12, 13, 15, 17, 18, 20)


def apple_time(moment: datetime) -> str:
    """ "2026-01-05 08:00:00 +0100" (strftime is the slow path at millions of records)."""
    offset = int(moment.utcoffset().total_seconds()) // 60
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset), 60)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} {sign}{hours:02d}{minutes:02d}"
    )


class AppleHealthWriter:
    def __init__(self, path: Path, patient: Patient, export_time: datetime):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.patient = patient
        self.imperial = patient.imperial_weight
        self.fahrenheit = patient.fahrenheit
        # Attribute values are pre-quoted once: names may hold apostrophes or ampersands.
        self.phone = quoteattr(f"{patient.given}’s iPhone")
        self.watch = quoteattr(f"{patient.given}’s Apple Watch")
        self.health = quoteattr("Health")
        self.path = path
        self.zip = zipfile.ZipFile(part_path(path), "w")
        info = zipfile.ZipInfo(ENTRY, date_time=export_time.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self.raw = self.zip.open(info, "w", force_zip64=True)
        self.out = io.TextIOWrapper(self.raw, encoding="utf-8", newline="\n")
        locale = f"{patient.language}_{patient.centre.country}"
        sex = "HKBiologicalSexFemale" if patient.sex == "female" else "HKBiologicalSexMale"
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.out.write(f"<HealthData locale={quoteattr(locale)}>\n")
        self.out.write(f" <ExportDate value={quoteattr(apple_time(export_time))}/>\n")
        self.out.write(
            f' <Me HKCharacteristicTypeIdentifierDateOfBirth="{patient.birth_date.isoformat()}"'
            f' HKCharacteristicTypeIdentifierBiologicalSex="{sex}"'
            ' HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet"'
            ' HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet"'
            ' HKCharacteristicTypeIdentifierCardioFitnessMedicationsUse="None"/>\n'
        )

    def _record(
        self,
        record_type: str,
        source: str,
        unit: str | None,
        start: datetime,
        end: datetime,
        value: str,
        metadata: str = "",
    ) -> None:
        unit_attr = f' unit="{unit}"' if unit else ""
        head = (
            f' <Record type="{record_type}" sourceName={source} sourceVersion="17.5"{unit_attr}'
            f' creationDate="{apple_time(end + timedelta(minutes=2))}" startDate="{apple_time(start)}"'
            f' endDate="{apple_time(end)}" value="{value}"'
        )
        self.out.write(f"{head}>\n{metadata} </Record>\n" if metadata else f"{head}/>\n")

    def add(self, reading: Reading) -> None:
        measure, value, start = reading.measure, reading.value, reading.start
        end = reading.end or start
        if measure == "steps":
            self._steps(reading)
        elif measure == "sleep":
            self._sleep(reading)
        elif measure == "heart_rate":
            context = '  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n'
            self._record(
                QUANTITY[measure], self.watch, "count/min", start, end, str(value), context
            )
        elif measure == "resting_hr":
            self._record(
                QUANTITY[measure],
                self.watch,
                "count/min",
                start,
                end - timedelta(minutes=1),
                str(value),
            )
        elif measure == "hrv":
            self._record(
                QUANTITY[measure],
                self.watch,
                "ms",
                start,
                start + timedelta(minutes=1),
                f"{value:g}",
            )
        elif measure == "weight":
            unit, shown = ("lb", round(value * LB_PER_KG, 1)) if self.imperial else ("kg", value)
            self._record(QUANTITY[measure], self.health, unit, start, end, f"{shown:g}")
        elif measure == "temperature":
            unit, shown = (
                ("degF", round(value * 9 / 5 + 32, 1)) if self.fahrenheit else ("degC", value)
            )
            self._record(QUANTITY[measure], self.health, unit, start, end, f"{shown:g}")
        elif measure == "spo2":
            self._record(QUANTITY[measure], self.watch, "%", start, end, f"{value / 100:g}")
        else:
            raise ValueError(f"Apple Health export does not carry {measure}")

    def _steps(self, reading: Reading) -> None:
        total = int(reading.value)
        weights = [
            1 + (i * 7919 + total) % 5 for i in range(len(STEP_HOURS))
        ]  # uneven, deterministic
        left = total
        for i, hour in enumerate(STEP_HOURS):
            share = left if i == len(STEP_HOURS) - 1 else total * weights[i] // sum(weights)
            left -= share
            begin = reading.start.replace(hour=hour, minute=(total + i * 13) % 40)
            self._record(
                QUANTITY["steps"],
                self.phone,
                "count",
                begin,
                begin + timedelta(minutes=14),
                str(share),
            )

    def _sleep(self, reading: Reading) -> None:
        self._record(
            SLEEP, self.watch, None, reading.start, reading.end, "HKCategoryValueSleepAnalysisInBed"
        )
        asleep = round(float(reading.value) * 3600)
        cursor = reading.start + timedelta(minutes=9)
        left = asleep
        for i, (stage, share) in enumerate(SLEEP_STAGES):
            seconds = left if i == len(SLEEP_STAGES) - 1 else round(asleep * share)
            left -= seconds
            self._record(
                SLEEP, self.watch, None, cursor, cursor + timedelta(seconds=seconds), stage
            )
            cursor += timedelta(seconds=seconds)

    def close(self) -> None:
        self.out.write("</HealthData>\n")
        self.out.close()
        self.zip.close()
        finish(self.path)
