"""Small hand-made inputs for the loader tests."""

from __future__ import annotations

import json
from pathlib import Path


def observation(oid: str, patient: str = "p1", loinc: str = "8867-4", value=72, unit="/min",
                when: str = "2026-01-05T08:00:00+01:00", **extra) -> dict:
    resource = {
        "resourceType": "Observation", "id": oid, "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
        "subject": {"reference": f"Patient/{patient}"}, "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
    }
    resource.update(extra)
    return resource


def write_ndjson(path: Path, records: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records),
                    encoding="utf-8")
    return path


def apple_record(kind: str, value, unit: str | None, start: str = "2026-01-05 08:00:00 +0100",
                 end: str | None = None) -> str:
    unit_attr = f' unit="{unit}"' if unit else ""
    return (f' <Record type="{kind}" sourceName="Test Watch"{unit_attr} creationDate="{start}" '
            f'startDate="{start}" endDate="{end or start}" value="{value}"/>\n')


def apple_xml(records: list[str], preamble: str = "") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + preamble +
            '<HealthData locale="en_GB">\n <ExportDate value="2026-01-10 10:00:00 +0100"/>\n'
            + "".join(records) + "</HealthData>\n")


def omh_point(schema: str, body: dict, n: int = 1) -> dict:
    return {"header": {"id": f"dp-{schema}-{n}", "creation_date_time": "2026-01-05T08:00:00+01:00",
                       "schema_id": {"namespace": "omh", "name": schema, "version": "2.0"}},
            "body": body}
