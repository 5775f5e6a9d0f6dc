"""Device sources: Open mHealth, Apple Health, vendor CSV; units normalised, originals kept."""

from __future__ import annotations

import json
import zipfile

import pytest

from ingestion.load import load_paths
from tests.ingestion.load.inputs import apple_record, apple_xml, omh_point

AT = {"effective_time_frame": {"date_time": "2026-01-05T08:00:00+01:00"}}


def _readings(query):
    return query("select loinc_code, round(value, 2), unit, original_value, original_unit "
                 "from raw.device_observations order by loinc_code, value")


def test_open_mhealth_units_are_normalised(tmp_path, warehouse, query):
    points = [
        omh_point("body-weight", {"body_weight": {"value": 154, "unit": "lb"}, **AT}, 1),
        omh_point("body-temperature", {"body_temperature": {"value": 100.4, "unit": "F"}, **AT}, 2),
        omh_point("heart-rate", {"heart_rate": {"value": 58, "unit": "beats/min"},
                                 "temporal_relationship_to_physical_activity": "at rest", **AT}, 3),
        omh_point("blood-pressure", {"systolic_blood_pressure": {"value": 128, "unit": "mmHg"},
                                     "diastolic_blood_pressure": {"value": 81, "unit": "mmHg"}, **AT}, 4),
        omh_point("sleep-duration", {"sleep_duration": {"value": 450, "unit": "min"}, **AT}, 5),
        omh_point("step-count", {"step_count": {"value": 21000, "unit": "steps"}, "effective_time_frame": {
            "time_interval": {"start_date_time": "2026-01-01T00:00:00+01:00",
                              "end_date_time": "2026-01-04T00:00:00+01:00"}}}, 6),
        omh_point("physical-activity", {"activity_name": "walking"}, 7),
    ]
    path = tmp_path / "patient=p7" / "points.dat"
    path.parent.mkdir()
    path.write_text(json.dumps(points))
    [report] = load_paths([path], warehouse)
    assert (report.kind, report.loaded, report.quarantined, report.skipped) == ("open-mhealth", 7, 0, 1)
    assert _readings(query) == [
        ("29463-7", 69.85, "kg", "154", "lb"), ("40443-4", 58.0, "/min", "58", "beats/min"),
        ("55423-8", 7000.0, "/d", "21000", "steps"), ("8310-5", 38.0, "Cel", "100.4", "F"),
        ("8462-4", 81.0, "mm[Hg]", "81", "mmHg"), ("8480-6", 128.0, "mm[Hg]", "128", "mmHg"),
        ("93832-4", 7.5, "h", "450", "min")]
    assert query("select distinct patient_id, source_kind from raw.device_observations") == [("p7", "open-mhealth")]
    [(original,)] = query("select original from raw.device_observations where loinc_code = '29463-7'")
    assert json.loads(original) == points[0]


def test_apple_health_zip_is_streamed_and_normalised(tmp_path, warehouse, query):
    xml = apple_xml([
        apple_record("HKQuantityTypeIdentifierBodyMass", 165.3, "lb"),
        apple_record("HKQuantityTypeIdentifierBodyTemperature", 99.1, "degF"),
        apple_record("HKQuantityTypeIdentifierOxygenSaturation", 0.96, "%"),
        apple_record("HKQuantityTypeIdentifierStepCount", 812, "count"),
        apple_record("HKCategoryTypeIdentifierSleepAnalysis", "HKCategoryValueSleepAnalysisAsleepCore", None,
                     "2026-01-05 23:00:00 +0100", "2026-01-06 02:30:00 +0100"),
        apple_record("HKCategoryTypeIdentifierSleepAnalysis", "HKCategoryValueSleepAnalysisInBed", None),
        apple_record("HKQuantityTypeIdentifierActiveEnergyBurned", 12, "kcal"),
    ])
    path = tmp_path / "upload.bin"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("apple_health_export/export.xml", xml)
    [report] = load_paths([path], warehouse, patient="p3")
    assert (report.kind, report.loaded, report.quarantined, report.skipped) == ("apple-health", 5, 0, 2)
    assert _readings(query) == [
        ("29463-7", 74.98, "kg", "165.3", "lb"), ("55423-8", 812.0, "/d", "812", "count"),
        ("59408-5", 96.0, "%", "0.96", "fraction"), ("8310-5", 37.28, "Cel", "99.1", "degF"),
        ("93832-4", 3.5, "h", "3.5", "h")]
    [again] = load_paths([path], warehouse, patient="p3")
    assert (again.loaded, again.duplicates) == (0, 5)


def test_apple_health_bad_records_are_quarantined(tmp_path, warehouse, query):
    xml = apple_xml([
        apple_record("HKQuantityTypeIdentifierHeartRate", 72, "count/min"),
        apple_record("HKQuantityTypeIdentifierBodyMass", 70, "furlongs"),
        apple_record("HKQuantityTypeIdentifierBodyTemperature", 80, "degC"),
        apple_record("HKQuantityTypeIdentifierHeartRate", 72, "count/min", start="2126-01-05 08:00:00 +0100"),
        apple_record("HKQuantityTypeIdentifierHeartRate", 72, "count/min", start="not a date"),
    ])
    path = tmp_path / "export.xml"
    path.write_text(xml)
    [report] = load_paths([path], warehouse, patient="p3")
    assert report.loaded == 1
    assert dict(report.reasons) == {"unknown-unit": 1, "impossible-value": 1, "impossible-date": 2}
    assert query("select record_number, reason_code from quarantine.records order by 1") == [
        (2, "unknown-unit"), (3, "impossible-value"), (4, "impossible-date"), (5, "impossible-date")]


def test_vendor_csvs_with_decimal_comma_and_local_dates(tmp_path, warehouse, query):
    folder = tmp_path / "devices" / "csv" / "patient=p5"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("Datum;Uhrzeit;Systole (mmHg);Diastole (mmHg);Puls (1/min);Kommentar\r\n"
                                  "05.01.2026;08:12;131;84;66;\r\n", encoding="utf-8")
    (folder / "b.txt").write_text("Date;Weight (lb);Fat mass (lb)\n2026-01-05 07:12:00;150,2;40,1\n")
    (folder / "c.txt").write_text("Date,Time,Systolic (mmHg),Diastolic (mmHg),Pulse (bpm)\n"
                                  "05/01/2026,08:12,400,84,66\n32/01/2026,08:12,120,80,60\n")
    reports = load_paths([folder], warehouse)
    assert [(r.kind, r.loaded, r.quarantined) for r in reports] == [
        ("device-csv", 3, 0), ("device-csv", 1, 0), ("device-csv", 2, 2)]
    assert query("select loinc_code, value, unit, effective_start = timestamptz '2026-01-05 08:12:00+01' "
                 "from raw.device_observations where source_file like '%a.txt' order by 1") == [
        ("8462-4", 84.0, "mm[Hg]", True), ("8480-6", 131.0, "mm[Hg]", True), ("8867-4", 66.0, "/min", True)]
    [(kg,)] = query("select round(value, 2) from raw.device_observations where loinc_code = '29463-7'")
    assert kg == 68.13
    assert query("select reason_code, count(*) from quarantine.records group by 1 order by 1") == [
        ("impossible-date", 1), ("impossible-value", 1)]


def test_device_file_without_patient_is_rejected(tmp_path, warehouse, query):
    path = tmp_path / "points.json"
    path.write_text(json.dumps([omh_point("heart-rate", {"heart_rate": {"value": 60, "unit": "beats/min"}, **AT})]))
    [report] = load_paths([path], warehouse)
    assert report.rejected and "no patient" in report.message
    assert query("select status from raw.load_log") == [("rejected",)]
    assert query("select count(*) from raw.device_observations") == [(0,)]


@pytest.mark.parametrize("unit,value,reason", [("stone-age", 70, "unknown-unit"), ("kg", -4, "impossible-value"),
                                               ("kg", "heavy", "impossible-value")])
def test_open_mhealth_bad_values(tmp_path, warehouse, query, unit, value, reason):
    path = tmp_path / "w.json"
    path.write_text(json.dumps([omh_point("body-weight", {"body_weight": {"value": value, "unit": unit}, **AT})]))
    [report] = load_paths([path], warehouse, patient="p1")
    assert (report.loaded, dict(report.reasons)) == (0, {reason: 1})
