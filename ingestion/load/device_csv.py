"""Vendor device CSV exports, read through the vendor registry (vendors.py)."""

from __future__ import annotations

import csv
from datetime import datetime
from zoneinfo import ZoneInfo

from ingestion.load.device_sink import DeviceSink
from ingestion.load.report import Rejected
from ingestion.load.session import FileLoad
from ingestion.load.vendors import BY_NAME, Vendor


def _moment(vendor: Vendor, row: dict) -> datetime | None:
    text = row.get(vendor.date_column, "").strip()
    if vendor.time_column:
        text = f"{text} {row.get(vendor.time_column, '').strip()}"
    try:
        moment = datetime.strptime(text, vendor.date_format)
    except ValueError:
        return None
    return moment.replace(tzinfo=ZoneInfo(vendor.timezone)) if moment.tzinfo is None else moment


def _number(vendor: Vendor, text: str | None):
    text = (text or "").strip()
    if not text:
        return None
    return text.replace(",", ".") if vendor.decimal_comma else text


def load_device_csv(ctx: FileLoad, vendor_name: str) -> None:
    vendor = BY_NAME[vendor_name]
    with DeviceSink(ctx, "device-csv") as sink:
        try:
            with open(ctx.path, encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle, delimiter=vendor.delimiter)
                reader.fieldnames = [name.strip() for name in reader.fieldnames or []]
                for number, row in enumerate(reader, start=2):  # line 1 is the header
                    original = {k: v for k, v in row.items() if k is not None}
                    if None in row or any(v is None for v in row.values()):
                        sink.quarantine(number, "malformed-record", original | {"_extra": row.get(None)})
                        continue
                    moment = _moment(vendor, row)
                    values = [(col, _number(vendor, row.get(col))) for col in vendor.columns]
                    if all(v is None for _, v in values):
                        sink.quarantine(number, "missing-value", original)
                        continue
                    for column, value in values:
                        if value is None:
                            continue  # e.g. a scale row without fat mass: the column is simply empty
                        measure = vendor.columns[column]
                        sink.add(number, measure.loinc, moment, None, value, measure.unit, original,
                                 vendor.device)
        except UnicodeDecodeError:
            raise Rejected("not UTF-8 text; device CSV files must be UTF-8") from None
        except csv.Error as exc:
            raise Rejected(f"malformed CSV ({exc})") from None
        ctx.notes.append(f"vendor {vendor.name}")
