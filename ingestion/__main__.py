"""Command line: `python -m ingestion {synth,load,view} ...` (see README.md)."""

from __future__ import annotations

import argparse
import importlib
import sys

from ingestion.errors import IngestionError

# Each subcommand lives in its own module exposing register(subparsers); the parser it adds sets
# `func(args) -> int`. Modules are imported lazily per command so `--help` stays fast.
COMMANDS = {
    "synth": "ingestion.synth.cli",
    "load": "ingestion.load.cli",
    "view": "ingestion.sql_on_fhir.cli",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingestion", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS.values():
        importlib.import_module(module).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (IngestionError, FileNotFoundError, PermissionError) as exc:
        if debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if debug:
            raise
        print(f"error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
