"""lowBoundary() and highBoundary(): the range of values a decimal or partial date/time stands for.

A decimal's precision is the number of digits after its point as written ("1.0" -> 0.95..1.05).
DuckDB's JSON reader re-serialises numbers, so trailing zeros beyond the first ("1.50") are not
preserved; precision is taken from what json_extract returns. Partial dates and times are filled
with the lowest or highest value of each missing component, and a dateTime without an offset gets
the widest one (+14:00 low, -12:00 high), as the FHIRPath specification prescribes.
"""

from __future__ import annotations

from ingestion.sql_on_fhir import schema
from ingestion.sql_on_fhir.values import Value, native, sql_string

_DATE = sql_string(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_DATETIME = sql_string(
    r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:T(\d{2})(?::(\d{2}))?(?::(\d{2}))?"
    r"(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?$"
)
_TIME = sql_string(r"^(\d{2})(?::(\d{2}))?(?::(\d{2}))?(?:\.(\d+))?$")
_DATE_PARTS = "['y', 'm', 'd']"
_DATETIME_PARTS = "['y', 'm', 'd', 'hh', 'mi', 'ss', 'f', 'tz']"
_TIME_PARTS = "['hh', 'mi', 'ss', 'f']"


def _let(value_sql: str, var: str, body: str) -> str:
    """Evaluate `value_sql` once and use it as `var` in `body` (a one-item list_transform)."""
    return f"list_transform([{value_sql}], lambda {var}: {body})[1]"


def _part(var: str, name: str, default: str) -> str:
    return f"coalesce(NULLIF({var}.{name}, ''), {default})"


def _decimal(text: str, low: bool, var: str) -> str:
    digits = f"CASE WHEN strpos({var}, '.') > 0 THEN length({var}) - strpos({var}, '.') ELSE 0 END"
    half = f"CAST('0.' || repeat('0', {digits}) || '5' AS DECIMAL(38, 20))"
    sign = "-" if low else "+"
    body = f"CAST(CAST({var} AS DECIMAL(38, 20)) {sign} {half} AS DOUBLE)"
    return _let(f"CAST({text} AS VARCHAR)", var, body)


def _day(var: str, low: bool) -> str:
    if low:
        return _part(var, "d", "'01'")
    last = (
        f"strftime(last_day(make_date(CAST({var}.y AS INTEGER), "
        f"CAST({_part(var, 'm', repr('12'))} AS INTEGER), 1)), '%d')"
    )
    return _part(var, "d", last)


def _date(text: str, low: bool, var: str) -> str:
    parts = f"regexp_extract({text}, {_DATE}, {_DATE_PARTS})"
    body = (
        f"CASE WHEN {var}.y <> '' THEN {var}.y || '-' || {_part(var, 'm', repr('01' if low else '12'))}"
        f" || '-' || {_day(var, low)} END"
    )
    return _let(parts, var, body)


def _clock(var: str, low: bool) -> str:
    fill = "0" if low else "9"
    return (
        f"{_part(var, 'hh', repr('00' if low else '23'))} || ':' || "
        f"{_part(var, 'mi', repr('00' if low else '59'))} || ':' || "
        f"{_part(var, 'ss', repr('00' if low else '59'))} || '.' || "
        f"rpad(coalesce({var}.f, ''), 3, '{fill}')"
    )


def _datetime(text: str, low: bool, var: str) -> str:
    parts = f"regexp_extract({text}, {_DATETIME}, {_DATETIME_PARTS})"
    offset = _part(var, "tz", "'+14:00'" if low else "'-12:00'")
    body = (
        f"CASE WHEN {var}.y <> '' THEN {var}.y || '-' || {_part(var, 'm', repr('01' if low else '12'))}"
        f" || '-' || {_day(var, low)} || 'T' || {_clock(var, low)} || {offset} END"
    )
    return _let(parts, var, body)


def _time(text: str, low: bool, var: str) -> str:
    parts = f"regexp_extract({text}, {_TIME}, {_TIME_PARTS})"
    return _let(parts, var, f"CASE WHEN {var}.hh <> '' THEN {_clock(var, low)} END")


def _any(json_sql: str, low: bool, var: str) -> str:
    """Type unknown at compile time: decide per value from its JSON type and shape."""
    text = f"json_extract_string({json_sql}, '$')"
    return (
        f"CASE WHEN json_type({json_sql}) IN ('BIGINT', 'UBIGINT', 'DOUBLE') "
        f"THEN CAST({_decimal(f'CAST({json_sql} AS VARCHAR)', low, var + 'n')} AS VARCHAR) "
        f"WHEN regexp_matches({text}, '^\\d{{2}}:') THEN {_time(text, low, var + 't')} "
        f"WHEN length({text}) <= 10 THEN {_date(text, low, var + 'd')} "
        f"ELSE {_datetime(text, low, var + 'x')} END"
    )


def _one(compiler, item: Value, fhir_type: str | None, low: bool) -> str:
    var = compiler.fresh("b")
    cv = compiler.cv
    if fhir_type in schema.NUMBER_TYPES:
        text = item.sql if item.kind == "native" else cv.json_one(item)
        return _decimal(text, low, var)
    if fhir_type == "date":
        return _date(cv.native_one(item, "date"), low, var)
    if fhir_type in ("dateTime", "instant"):
        return _datetime(cv.native_one(item, "dateTime"), low, var)
    if fhir_type == "time":
        return _time(cv.native_one(item, "time"), low, var)
    return _any(cv.json_one(item), low, var)


def boundary(compiler, value: Value, low: bool) -> Value:
    fhir_type = value.fhir_type
    result_type = {
        "integer": "decimal",
        "positiveInt": "decimal",
        "unsignedInt": "decimal",
        "integer64": "decimal",
        "instant": "dateTime",
    }.get(fhir_type, fhir_type)
    if result_type not in ("decimal", "date", "dateTime", "time"):
        result_type = None
    if not value.many:
        return native(_one(compiler, value, fhir_type, low), result_type)
    item = compiler.fresh("e")
    one = _one(compiler, Value("path", item, False, fhir_type), fhir_type, low)
    return native(
        f"list_transform({compiler.cv.json_list(value)}, lambda {item}: {one})", result_type, True
    )
