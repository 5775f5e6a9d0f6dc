"""Device outputs parse as their real counterparts do, and carry the same values in local units."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

from defusedxml import ElementTree

from ingestion.synth.device_csv import VENDOR_COLUMNS

APPLE_TYPES = {
    "HKQuantityTypeIdentifierStepCount": {"count"},
    "HKQuantityTypeIdentifierHeartRate": {"count/min"},
    "HKQuantityTypeIdentifierRestingHeartRate": {"count/min"},
    "HKQuantityTypeIdentifierHeartRateVariabilitySDNN": {"ms"},
    "HKQuantityTypeIdentifierBodyMass": {"kg", "lb"},
    "HKQuantityTypeIdentifierBodyTemperature": {"degC", "degF"},
    "HKQuantityTypeIdentifierOxygenSaturation": {"%"},
    "HKCategoryTypeIdentifierSleepAnalysis": {None},
}
APPLE_TIME = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$"


def test_apple_health_exports_are_zips_of_health_data_xml(demo_cohort: Path):
    exports = sorted((demo_cohort / "devices" / "apple-health").glob("patient=*/export.zip"))
    assert exports
    seen_types, seen_units = set(), set()
    for export in exports:
        with zipfile.ZipFile(export) as archive:
            assert archive.namelist() == ["apple_health_export/export.xml"]
            with archive.open("apple_health_export/export.xml") as xml:
                root = ElementTree.parse(xml).getroot()
        assert root.tag == "HealthData"
        assert root.find("ExportDate") is not None and root.find("Me") is not None
        for record in root.iter("Record"):
            record_type, unit = record.get("type"), record.get("unit")
            assert unit in APPLE_TYPES[record_type]
            for attribute in ("creationDate", "startDate", "endDate"):
                assert re.match(APPLE_TIME, record.get(attribute))
            if record_type == "HKQuantityTypeIdentifierOxygenSaturation":
                assert 0.5 < float(record.get("value")) <= 1.0
            seen_types.add(record_type)
            seen_units.add(unit)
    assert seen_types == set(APPLE_TYPES)
    assert {"lb", "degF"} <= seen_units


def test_open_mhealth_files_hold_data_points_with_header_and_body(demo_cohort: Path):
    files = sorted((demo_cohort / "devices" / "open-mhealth").glob("patient=*/*.json"))
    assert files
    schemas = set()
    for path in files:
        patient_id = path.parent.name.removeprefix("patient=")
        for point in json.loads(path.read_text()):
            header, body = point["header"], point["body"]
            assert header["user_id"] == patient_id
            assert header["schema_id"]["namespace"] == "omh"
            assert header["creation_date_time"].endswith("Z")
            assert "effective_time_frame" in body
            schemas.add(header["schema_id"]["name"])
    assert {
        "step-count",
        "heart-rate",
        "sleep-duration",
        "oxygen-saturation",
        "body-temperature",
    } <= schemas


def test_vendor_csvs_have_the_documented_columns_and_locale(demo_cohort: Path):
    files = sorted((demo_cohort / "devices" / "csv").glob("patient=*/*.csv"))
    vendors = set()
    for path in files:
        text = path.read_text(encoding="utf-8")
        delimiter = ";" if text.splitlines()[0].count(";") else ","
        rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
        header, body = rows[0], rows[1:]
        assert header in VENDOR_COLUMNS.values()
        assert body
        vendors.add(path.stem)
        for row in body:
            assert len(row) == len(header)
            if path.stem == "withings-weight":
                weight = float(row[1].replace(",", "."))
                assert (30 < weight < 200) if header[1] == "Weight (kg)" else (66 < weight < 440)
                assert (delimiter == ";") == ("," in row[1])  # comma decimals go with semicolons
            else:
                systolic, diastolic = int(row[2]), int(row[3])
                assert 80 < systolic < 230 and 40 < diastolic < 140
    assert {"withings-weight", "omron-blood-pressure"} <= vendors


def test_each_measure_of_a_patient_arrives_by_one_route_only(demo_cohort: Path):
    observations = demo_cohort / "fhir" / "bulk" / "Observation.ndjson"
    fhir_weight = {
        json.loads(line)["subject"]["reference"].split("/")[1]
        for line in observations.read_text().splitlines()
        if '"29463-7"' in line
    }
    csv_weight = {
        p.parent.name.removeprefix("patient=")
        for p in (demo_cohort / "devices" / "csv").glob("patient=*/withings-weight.csv")
    }
    assert fhir_weight and csv_weight and not fhir_weight & csv_weight
