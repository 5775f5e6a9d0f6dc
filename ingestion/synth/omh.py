"""A wearable platform's export: Open mHealth / IEEE 1752.1 data points.

`devices/open-mhealth/patient=<id>/<n>.json` holds a JSON array of data points, each a `header`
(Open mHealth header 1.2: id, creation_date_time, schema_id, acquisition_provenance, user_id; plus
the IEEE 1752.1 `uuid` and `modality`) and a `body` in the named schema. Files are cut every
CHUNK_POINTS points, as paged platform APIs deliver them. Resting heart rate is a daily
`heart-rate` with `temporal_relationship_to_physical_activity: "at rest"`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingestion.synth.files import write_text_atomic
from ingestion.synth.rand import stable_uuid
from ingestion.synth.vitals import Reading

CHUNK_POINTS = 2000
SCHEMAS = {  # measure: (schema name, version)
    "steps": ("step-count", "3.0"),
    "heart_rate": ("heart-rate", "2.0"),
    "resting_hr": ("heart-rate", "2.0"),
    "weight": ("body-weight", "2.0"),
    "temperature": ("body-temperature", "3.0"),
    "spo2": ("oxygen-saturation", "2.0"),
    "blood_pressure": ("blood-pressure", "3.1"),
    "sleep": ("sleep-duration", "2.0"),
}


def _time_frame(reading: Reading) -> dict:
    if reading.end is None:
        return {"date_time": reading.start.isoformat()}
    return {
        "time_interval": {
            "start_date_time": reading.start.isoformat(),
            "end_date_time": reading.end.isoformat(),
        }
    }


def body(reading: Reading) -> dict:
    frame = {"effective_time_frame": _time_frame(reading)}
    value = reading.value
    if reading.measure == "steps":
        return {"step_count": {"value": value, "unit": "steps"}, **frame}
    if reading.measure in ("heart_rate", "resting_hr"):
        relation = "at rest" if reading.measure == "resting_hr" else "during activity"
        return {
            "heart_rate": {"value": value, "unit": "beats/min"},
            **frame,
            "temporal_relationship_to_physical_activity": relation,
        }
    if reading.measure == "weight":
        return {"body_weight": {"value": value, "unit": "kg"}, **frame}
    if reading.measure == "temperature":
        return {
            "body_temperature": {"value": value, "unit": "C"},
            **frame,
            "measurement_location": "oral",
        }
    if reading.measure == "spo2":
        return {
            "oxygen_saturation": {"value": value, "unit": "%"},
            **frame,
            "system": "peripheral capillary",
            "measurement_method": "pulse oximetry",
        }
    if reading.measure == "blood_pressure":
        systolic, diastolic, _ = value
        return {
            "systolic_blood_pressure": {"value": systolic, "unit": "mmHg"},
            "diastolic_blood_pressure": {"value": diastolic, "unit": "mmHg"},
            **frame,
        }
    if reading.measure == "sleep":
        return {"sleep_duration": {"value": value, "unit": "h"}, **frame}
    raise ValueError(f"no Open mHealth schema for {reading.measure}")


SOURCES = {
    "steps": "wearable",
    "heart_rate": "wearable",
    "resting_hr": "wearable",
    "sleep": "wearable",
    "spo2": "wearable",
    "temperature": "smart thermometer",
    "weight": "smart scale",
    "blood_pressure": "blood pressure monitor",
}


class OpenMHealthWriter:
    def __init__(self, directory: Path, patient_id: str, platform: str):
        self.directory = directory
        self.patient_id = patient_id
        self.platform = platform
        self.points: list[dict] = []
        self.files = 0
        self.count = 0

    def add(self, reading: Reading) -> None:
        name, version = SCHEMAS[reading.measure]
        self.count += 1
        point_id = stable_uuid(self.patient_id, "omh", self.count)
        # The platform stores a point a few minutes after the measurement ends.
        created = (reading.end or reading.start) + timedelta(minutes=7)
        self.points.append(
            {
                "header": {
                    "id": point_id,
                    "uuid": point_id,
                    "creation_date_time": _utc(created),
                    "schema_id": {"namespace": "omh", "name": name, "version": version},
                    "modality": "sensed",
                    "acquisition_provenance": {
                        "source_name": f"{self.platform} {SOURCES[reading.measure]}",
                        "source_creation_date_time": (reading.end or reading.start).isoformat(),
                        "modality": "sensed",
                    },
                    "user_id": self.patient_id,
                },
                "body": body(reading),
            }
        )
        if len(self.points) >= CHUNK_POINTS:
            self.flush()

    def flush(self) -> None:
        if not self.points:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self.files += 1
        path = self.directory / f"{self.files}.json"
        # One data point per line inside the array: readable, and fast to write (C encoder).
        lines = ",\n".join(
            json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in self.points
        )
        write_text_atomic(path, f"[\n{lines}\n]\n")
        self.points = []


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
