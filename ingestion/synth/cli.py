"""`python -m ingestion synth`: write a synthetic survivorship cohort (see ingestion/synth/__init__.py)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ingestion.errors import IngestionError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="write a synthetic cohort (FHIR, devices, ground truth, app content)",
        description="Write a deterministic synthetic survivorship cohort with a labelled ground truth.",
    )
    parser.add_argument("--patients", type=int, required=True, help="number of patients")
    parser.add_argument("--days", type=int, required=True, help="days of follow-up per patient")
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="output directory (created; replaced if it holds a cohort)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--end-date",
        type=_date,
        default=None,
        help="first day after the window, YYYY-MM-DD (default 2026-11-01)",
    )
    parser.add_argument(
        "--no-app-content", action="store_true", help="skip app/ (library, community, interactions)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes to generate with (same output for any number)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ingestion.synth.generate import DEFAULT_END_DATE, SynthConfig, generate

    if args.patients < 1 or args.days < 1 or args.workers < 1:
        raise IngestionError("--patients, --days and --workers must be at least 1")
    config = SynthConfig(
        patients=args.patients,
        days=args.days,
        out=args.out,
        seed=args.seed,
        end_date=args.end_date or DEFAULT_END_DATE,
        app_content=not args.no_app_content,
        workers=args.workers,
    )
    summary = generate(config, progress=not args.quiet)
    print(
        f"wrote {summary.patients} patients, {summary.total_records:,} records, "
        f"{summary.episodes} episodes to {config.out}",
        file=sys.stderr,
    )
    return 0
