"""Apple Health exports (export.zip or export.xml), parsed as a stream.

Exports of several GB are normal, so the XML is read with iterparse and each element is cleared
once handled: memory stays bounded by one element and one insert batch. Entities and external
references are refused (defusedxml); the internal DTD real exports carry is allowed, since it only
declares elements and attributes.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from ingestion.load.device_sink import DeviceSink
from ingestion.load.report import Rejected
from ingestion.load.safety import BoundedReader, check_zip
from ingestion.load.session import FileLoad

QUANTITY = {
    "HKQuantityTypeIdentifierHeartRate": "8867-4",
    "HKQuantityTypeIdentifierRestingHeartRate": "40443-4",
    "HKQuantityTypeIdentifierBodyMass": "29463-7",
    "HKQuantityTypeIdentifierBodyTemperature": "8310-5",
    "HKQuantityTypeIdentifierOxygenSaturation": "59408-5",
    "HKQuantityTypeIdentifierBloodPressureSystolic": "8480-6",
    "HKQuantityTypeIdentifierBloodPressureDiastolic": "8462-4",
    "HKQuantityTypeIdentifierRespiratoryRate": "9279-1",
    "HKQuantityTypeIdentifierStepCount": "55423-8",
    "HKQuantityTypeIdentifierHeartRateVariabilitySDNN": "80404-7",
}
SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
ASLEEP = {"HKCategoryValueSleepAnalysisAsleep", "HKCategoryValueSleepAnalysisAsleepUnspecified",
          "HKCategoryValueSleepAnalysisAsleepCore", "HKCategoryValueSleepAnalysisAsleepDeep",
          "HKCategoryValueSleepAnalysisAsleepREM"}


def apple_time(text: str | None) -> datetime | None:
    """'2026-01-05 08:00:00 +0100' (HealthKit's format) as an aware datetime."""
    if not text:
        return None
    try:
        if len(text) == 25 and text[19] == " ":
            text = text[:19] + text[20:]
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _handle_record(sink: DeviceSink, ctx: FileLoad, number: int, attrs: dict) -> None:
    kind = attrs.get("type")
    start, end = apple_time(attrs.get("startDate")), apple_time(attrs.get("endDate"))
    device = attrs.get("sourceName")
    if kind in QUANTITY:
        unit, value = attrs.get("unit"), attrs.get("value")
        if kind == "HKQuantityTypeIdentifierOxygenSaturation" and unit == "%":
            unit = "fraction"  # HealthKit stores SpO2 as a fraction (0.97) labelled "%"
        sink.add(number, QUANTITY[kind], start, end, value, unit, attrs, device)
    elif kind == SLEEP:
        if attrs.get("value") not in ASLEEP:
            ctx.skipped += 1  # in bed / awake: not sleep duration
            return
        if start is None or end is None or end < start:
            sink.quarantine(number, "impossible-date", attrs)
            return
        hours = (end - start).total_seconds() / 3600
        sink.add(number, "93832-4", start, end, round(hours, 6), "h", attrs, device)
    else:
        ctx.skipped += 1


def _parse(stream, ctx: FileLoad) -> None:
    with DeviceSink(ctx, "apple-health") as sink:
        depth, number, root = 0, 0, None
        try:
            for event, elem in iterparse(stream, events=("start", "end")):
                if event == "start":
                    if root is None:
                        root = elem
                        if elem.tag != "HealthData":
                            raise Rejected(f"XML root is <{elem.tag}>, not an Apple Health <HealthData>")
                    depth += 1
                    continue
                depth -= 1
                if elem.tag == "Record":
                    number += 1
                    attrs = dict(elem.attrib)
                    metadata = {c.get("key"): c.get("value") for c in elem if c.tag == "MetadataEntry"}
                    if metadata:
                        attrs["metadata"] = metadata
                    _handle_record(sink, ctx, number, attrs)
                if depth == 1:
                    root.clear()  # drop handled top-level elements: memory stays flat
        except DefusedXmlException as exc:
            raise Rejected(f"XML with entity declarations or external references is refused ({type(exc).__name__})") from None
        except ParseError as exc:
            raise Rejected(f"malformed XML ({exc})") from None


def load_apple_health(ctx: FileLoad, container: str | None) -> None:
    if container != "zip":
        with open(ctx.path, "rb") as stream:
            _parse(stream, ctx)
        return
    try:
        archive = zipfile.ZipFile(ctx.path)
    except zipfile.BadZipFile as exc:
        raise Rejected(f"a damaged zip archive ({exc})") from None
    with archive:
        check_zip(archive)
        entries = [i for i in archive.infolist() if i.filename.replace("\\", "/").rsplit("/", 1)[-1] == "export.xml"]
        if len(entries) != 1:
            raise Rejected("the zip holds no single export.xml")
        try:
            with archive.open(entries[0]) as member:
                _parse(BoundedReader(member, entries[0].file_size), ctx)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise Rejected(f"the zip entry cannot be read ({exc})") from None
