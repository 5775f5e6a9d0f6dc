"""`python -m ingestion load`: what it prints and how it exits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.ingestion.load.inputs import observation, write_ndjson

REPO = Path(__file__).resolve().parents[3]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingestion", "load", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)


def test_cli_prints_loaded_duplicates_and_quarantine_reasons(tmp_path, warehouse):
    path = write_ndjson(tmp_path / "a.ndjson", [observation("o1"), "{oops", observation("o1")])
    first = _cli(str(path), "--warehouse", str(warehouse))
    assert first.returncode == 0, first.stderr
    assert "1 loaded, 1 duplicate, 1 quarantined (invalid-json: 1)" in first.stdout
    device = tmp_path / "w.csv"
    device.write_text("Date,Weight (kg),Fat mass (kg)\n2026-01-05 07:00:00,70.1,20.0\n")
    second = _cli(str(path), str(device), "--warehouse", str(warehouse), "--patient", "p1")
    assert second.returncode == 0, second.stderr
    assert "0 loaded, 2 duplicate, 1 quarantined" in second.stdout
    assert "w.csv [device-csv]: 1 loaded" in second.stdout


def test_cli_exits_non_zero_with_one_line_when_a_file_cannot_be_read(tmp_path, warehouse):
    bad = tmp_path / "bad.ndjson"
    bad.write_bytes(b"\xff\xfe\x00binary")
    result = _cli(str(bad), "--warehouse", str(warehouse))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "bad.ndjson could not be loaded: not UTF-8" in result.stderr
    missing = _cli(str(tmp_path / "nope.ndjson"), "--warehouse", str(warehouse))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
