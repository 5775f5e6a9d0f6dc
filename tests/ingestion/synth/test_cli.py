"""The `synth` subcommand: arguments, progress on stderr, and one clear line for user errors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from ingestion.errors import IngestionError
from ingestion.synth import cli


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    return parser.parse_args(argv)


def test_synth_command_writes_the_cohort_and_reports_progress(tmp_path: Path, capsys):
    out = tmp_path / "cohort"
    args = _parse(
        [
            "synth",
            "--patients",
            "3",
            "--days",
            "20",
            "--out",
            str(out),
            "--seed",
            "4",
            "--end-date",
            "2026-02-01",
            "--no-app-content",
        ]
    )
    assert args.func(args) == 0
    manifest = json.loads((out / "fhir" / "bulk" / "manifest.json").read_text())
    assert manifest["transactionTime"].startswith("2026-02-01")
    assert not (out / "app").exists()
    err = capsys.readouterr().err
    assert "3/3 patients" in err and "wrote 3 patients" in err


def test_invalid_arguments_are_user_errors(tmp_path: Path):
    args = _parse(["synth", "--patients", "0", "--days", "20", "--out", str(tmp_path / "x")])
    with pytest.raises(IngestionError, match="at least 1"):
        args.func(args)
    with pytest.raises(SystemExit):
        _parse(
            ["synth", "--patients", "2", "--days", "20", "--out", "x", "--end-date", "1st of May"]
        )
