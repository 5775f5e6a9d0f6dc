"""Open mHealth / IEEE 1752.1 data points: a JSON array (or one object) of {header, body}.

The schema named in header.schema_id picks the measure; the body's {value, unit} pairs are mapped
to LOINC and normalised. A data point of a schema the platform does not model is counted as
`not modelled`, not quarantined (an Open mHealth feed carries many kinds of data).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ingestion.load.device_sink import DeviceSink
from ingestion.load.session import FileLoad

# schema name -> [(body field, LOINC)]
SCHEMAS = {
    "heart-rate": [("heart_rate", "8867-4")],
    "body-weight": [("body_weight", "29463-7")],
    "body-temperature": [("body_temperature", "8310-5")],
    "oxygen-saturation": [("oxygen_saturation", "2708-6")],
    "blood-pressure": [("systolic_blood_pressure", "8480-6"), ("diastolic_blood_pressure", "8462-4")],
    "respiratory-rate": [("respiratory_rate", "9279-1")],
    "step-count": [("step_count", "55423-8")],
    "sleep-duration": [("sleep_duration", "93832-4")],
    "heart-rate-variability": [("heart_rate_variability", "80404-7")],
}
_DURATION_DAYS = {"d": 1, "day": 1, "wk": 7, "week": 7, "h": 1 / 24, "min": 1 / 1440, "s": 1 / 86400}


def parse_time(text) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def time_frame(body: dict) -> tuple[datetime | None, datetime | None]:
    frame = body.get("effective_time_frame") or {}
    if "date_time" in frame:
        return parse_time(frame["date_time"]), None
    interval = frame.get("time_interval") or {}
    start, end = parse_time(interval.get("start_date_time")), parse_time(interval.get("end_date_time"))
    duration = interval.get("duration")
    if isinstance(duration, dict) and duration.get("unit") in _DURATION_DAYS:
        try:
            length = timedelta(days=float(duration["value"]) * _DURATION_DAYS[duration["unit"]])
        except (TypeError, ValueError):
            return None, None
        if start and not end:
            end = start + length
        elif end and not start:
            start = end - length
    return start, end


def _loinc_for(schema: str, field: str, loinc: str, body: dict) -> str:
    if schema == "heart-rate" and body.get("temporal_relationship_to_physical_activity") == "at rest":
        return "40443-4"  # resting heart rate
    if schema == "oxygen-saturation" and body.get("measurement_method") == "pulse oximetry":
        return "59408-5"
    return loinc


def load_openmhealth(ctx: FileLoad, document) -> None:
    points = document if isinstance(document, list) else [document]
    with DeviceSink(ctx, "open-mhealth") as sink:
        for number, point in enumerate(points, start=1):
            header, body = point.get("header") or {}, point.get("body")
            schema = (header.get("schema_id") or {}).get("name") if isinstance(header, dict) else None
            if not isinstance(body, dict) or not isinstance(schema, str):
                sink.quarantine(number, "malformed-record", point)
                continue
            if schema not in SCHEMAS:
                ctx.skipped += 1
                continue
            start, end = time_frame(body)
            device = (header.get("acquisition_provenance") or {}).get("source_name")
            for field, loinc in SCHEMAS[schema]:
                quantity = body.get(field)
                if isinstance(quantity, dict):
                    value, unit = quantity.get("value"), quantity.get("unit")
                else:  # step-count 1.0 wrote a bare number
                    value, unit = quantity, "steps" if schema == "step-count" else None
                if value is None:
                    sink.quarantine(number, "missing-value", point)
                    break
                days = (end - start).total_seconds() / 86400 if (start and end and loinc == "55423-8"
                                                                 and end > start) else None
                sink.add(number, _loinc_for(schema, field, loinc, body), start, end, value, unit,
                         point, device,
                         period_days=round(days) if days and days >= 1.5 else None)
