"""The HL7 SQL-on-FHIR v2 conformance suite, one pytest test per suite test.

The suite lives beside the repository (../shared/conformance/sql-on-fhir-v2; see _suite_dir). Besides the
per-test results, test_conformance_report writes reports/sql-on-fhir-conformance.json in the
suite's test-report format and reports/sql-on-fhir-conformance-summary.json (passes per file).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ingestion.sql_on_fhir import conformance

REPO_ROOT = Path(__file__).resolve().parents[3]
SUITE_ENV = "SQL_ON_FHIR_CONFORMANCE_DIR"


def _suite_dir() -> Path:
    """$SQL_ON_FHIR_CONFORMANCE_DIR, else ../shared/conformance/sql-on-fhir-v2 beside the repository or,
    in a local clone (CI tests a fresh clone of main), beside the repository it was cloned from."""
    if os.environ.get(SUITE_ENV):
        return Path(os.environ[SUITE_ENV])
    roots = [REPO_ROOT]
    origin = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "config", "--get", "remote.origin.url"],
        check=False,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if origin and Path(origin).is_dir():
        roots.append(Path(origin).resolve())
    suites = [root.parent / "shared" / "conformance" / "sql-on-fhir-v2" for root in roots]
    return next((suite for suite in suites if suite.is_dir()), suites[0])


SUITE_DIR = _suite_dir()
REPORT = REPO_ROOT / "reports" / "sql-on-fhir-conformance.json"
SUMMARY = REPO_ROOT / "reports" / "sql-on-fhir-conformance-summary.json"
SUITE_TESTS = 134

# Suite tests this implementation is known to fail, with the reason: {(file, title): reason}.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}

if SUITE_DIR.is_dir():
    CASES, RESOURCES = conformance.load_suite(SUITE_DIR)
else:
    CASES, RESOURCES = [], {}
needs_suite = pytest.mark.skipif(not CASES, reason=f"conformance suite not found at {SUITE_DIR}")


def _param(case):
    reason = KNOWN_FAILURES.get((case.file, case.title))
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(case, id=f"{case.file}::{case.title}", marks=marks)


@pytest.fixture(scope="module")
def connections():
    opened = {}

    def connection_for(file_name: str):
        if file_name not in opened:
            opened[file_name] = conformance.fixture_connection(RESOURCES[file_name])
        return opened[file_name]

    yield connection_for
    for con in opened.values():
        con.close()


# Outcomes of the cases this process ran, reused by the report (parallel workers run the rest).
OUTCOMES: dict = {}


@needs_suite
@pytest.mark.parametrize("case", [_param(c) for c in CASES] or [None])
def test_suite_case(case, connections):
    outcome = OUTCOMES[case] = conformance.run_case(connections(case.file), case)
    assert outcome.passed, outcome.error


@needs_suite
def test_conformance_report(connections):
    outcomes = {
        case: OUTCOMES.get(case) or conformance.run_case(connections(case.file), case)
        for case in CASES
    }
    conformance.write_json(REPORT, conformance.report(outcomes))
    summary = conformance.summary(outcomes)
    conformance.write_json(SUMMARY, summary)
    assert summary["total"] == SUITE_TESTS == len(CASES)
    assert summary["passed"] == SUITE_TESTS - len(KNOWN_FAILURES)
    assert REPORT.is_file() and len(conformance.report(outcomes)) == 22
