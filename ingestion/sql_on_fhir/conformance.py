"""Runner for the HL7 SQL-on-FHIR v2 conformance suite (tests/*.json of FHIR/sql-on-fhir-v2).

Each suite file holds fixture `resources` and `tests`; a test passes when the view's rows equal
`expect` (as a multiset: order is not significant, column order is when `expectColumns` is
given), when the row count equals `expectCount`, or when `expectError` and the view raises
ViewDefinitionError (while compiling or while running). The report follows the suite's
test-report format: {"<file>.json": {"tests": [{"name": ..., "result": {"passed": ...}}]}}.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingestion.sql_on_fhir import compile_view, view_errors
from ingestion.sql_on_fhir.errors import ViewDefinitionError

FIXTURE_TABLE = "conformance_resources"


@dataclass(frozen=True)
class Case:
    file: str
    title: str
    test: dict = field(hash=False, compare=False)


@dataclass(frozen=True)
class Outcome:
    passed: bool
    error: str | None = None


def load_suite(suite_dir: Path) -> tuple[list[Case], dict[str, list[dict]]]:
    cases, resources = [], {}
    for path in sorted(Path(suite_dir).glob("*.json")):
        if path.name == "tests.schema.json":
            continue
        content = json.loads(path.read_text(encoding="utf-8"))
        resources[path.name] = content["resources"]
        cases += [Case(path.name, test["title"], test) for test in content["tests"]]
    return cases, resources


def fixture_connection(resources: list[dict]):
    """An in-memory DuckDB with the file's resources in a table shaped like raw.fhir_resources."""
    con = duckdb.connect()
    con.execute(f"CREATE TABLE {FIXTURE_TABLE} (resource_type VARCHAR, resource JSON)")
    con.executemany(
        f"INSERT INTO {FIXTURE_TABLE} VALUES (?, ?)",
        [(r.get("resourceType"), json.dumps(r)) for r in resources],
    )
    return con


def _normalise(value):
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 9)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    return value


def _row_key(row: dict) -> str:
    return json.dumps(_normalise(row), sort_keys=True)


def _fetch(con, view: dict) -> tuple[list[str], list[dict]]:
    sql = compile_view(view, source_sql=FIXTURE_TABLE)
    with view_errors():
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        json_columns = {d[0] for d in cursor.description if str(d[1]).upper() == "JSON"}
        rows = []
        for record in cursor.fetchall():
            row = dict(zip(columns, record))
            for name in json_columns:
                row[name] = json.loads(row[name]) if row[name] is not None else None
            rows.append(row)
    return columns, rows


def run_case(con, case: Case) -> Outcome:
    test = case.test
    try:
        columns, rows = _fetch(con, test["view"])
    except ViewDefinitionError as exc:
        if test.get("expectError"):
            return Outcome(True)
        return Outcome(False, f"unexpected ViewDefinitionError: {exc}")
    except duckdb.Error as exc:
        return Outcome(False, f"DuckDB error: {str(exc).splitlines()[0]}")
    if test.get("expectError"):
        return Outcome(False, f"expected an error, got {len(rows)} rows")
    if "expectColumns" in test and columns != test["expectColumns"]:
        return Outcome(False, f"columns {columns} != expected {test['expectColumns']}")
    if "expectCount" in test:
        if len(rows) != test["expectCount"]:
            return Outcome(False, f"{len(rows)} rows, expected {test['expectCount']}")
        return Outcome(True)
    expected = sorted(_row_key(r) for r in test["expect"])
    actual = sorted(_row_key(r) for r in rows)
    if expected != actual:
        return Outcome(False, f"rows differ: got {actual}, expected {expected}")
    return Outcome(True)


def run_suite(suite_dir: Path) -> dict[Case, Outcome]:
    cases, resources = load_suite(suite_dir)
    connections = {name: fixture_connection(res) for name, res in resources.items()}
    try:
        return {case: run_case(connections[case.file], case) for case in cases}
    finally:
        for con in connections.values():
            con.close()


def report(outcomes: dict[Case, Outcome]) -> dict:
    """The suite's test-report format, one entry per file."""
    result: dict[str, dict] = {}
    for case, outcome in outcomes.items():
        entry = {"name": case.title, "result": {"passed": outcome.passed}}
        if outcome.error:
            entry["result"]["error"] = outcome.error
        result.setdefault(case.file, {"tests": []})["tests"].append(entry)
    return result


def summary(outcomes: dict[Case, Outcome]) -> dict:
    files: dict[str, dict] = {}
    for case, outcome in outcomes.items():
        counts = files.setdefault(case.file, {"passed": 0, "total": 0})
        counts["total"] += 1
        counts["passed"] += outcome.passed
    return {
        "passed": sum(c["passed"] for c in files.values()),
        "total": sum(c["total"] for c in files.values()),
        "files": files,
    }


def write_json(path: Path, content: dict) -> None:
    """Write atomically: parallel test workers may write the same report at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w") as out:
        json.dump(content, out, indent=2)
        out.write("\n")
    os.replace(temporary, path)
