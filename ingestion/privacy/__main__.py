"""`python -m ingestion.privacy erase PATIENT_ID`: erase one person from every store, in one command.

The backend database (DATABASE_URL), its bulk-export files and attachments, then the pipeline's
landing zone, warehouse (raw, quarantine, every modelled table), snapshots (republished without the
person) and logs. Run it while the pipeline is idle: DuckDB has one writer, and a busy warehouse is
reported as such. `retention` applies the retention policy once (the retention DAG runs it daily).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ingestion.errors import IngestionError


def _erase_backend(patient_id: str, database_url: str | None) -> tuple[dict, list[str]]:
    from app_backend.config import load_settings
    from app_backend.db import make_engine, make_session_factory
    from app_backend.services import erasure
    from app_backend.services.telehealth import config as telehealth_config

    settings = load_settings()
    engine = make_engine(database_url or settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            found = erasure.identifiers(session, patient_id)
            counts = erasure.erase_patient(session, patient_id, telehealth_config.load())
            session.commit()
    finally:
        engine.dispose()
    return counts, found


def erase(args) -> int:
    from ingestion.pipeline import config
    from ingestion.privacy.erasure import erase_landing, erase_person, patient_key_for

    backend_counts, identifiers = ({}, [args.patient_id])
    if not args.skip_backend:
        backend_counts, identifiers = _erase_backend(args.patient_id, args.database_url)
        export_dir = Path(os.environ.get("EXPORT_DIR") or "data/bulk_exports")
        erase_landing(export_dir, args.patient_id, identifiers)
    warehouse = config.warehouse(args.warehouse)
    snapshots = config.snapshot_dir(args.snapshots)
    from ingestion.privacy.retention import default_log_dirs

    logs = [Path(p) for p in args.logs] or default_log_dirs()
    # A busy warehouse is waited for, then reported in one line, by ingestion.warehouse.connect.
    report = erase_person(
        args.patient_id, warehouse=warehouse, landing_dir=config.landing_dir(args.landing),
        snapshot_dir=snapshots, log_dirs=logs, patient_key=patient_key_for(args.patient_id),
        extra_identifiers=identifiers, ledger=Path(args.ledger),
    )
    republished = None
    if report.warehouse_rows is not None and warehouse.exists():
        from ingestion.pipeline.snapshot import publish

        try:
            republished = publish(warehouse, snapshots)["marts"]
        except IngestionError:
            republished = None  # nothing modelled yet: nothing to publish
    print(json.dumps({"backend": backend_counts, "pipeline": report.as_record(), "republished": republished}, indent=2))
    return 0


def retention(_args) -> int:
    from ingestion.pipeline import config
    from ingestion.privacy.retention import RetentionPolicy, default_log_dirs, enforce_retention

    deleted = enforce_retention(config.landing_dir(), default_log_dirs(), RetentionPolicy.from_env())
    print(json.dumps(deleted))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingestion.privacy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("erase", help="erase one person (FHIR Patient id) from every store")
    e.add_argument("patient_id")
    e.add_argument("--database-url", help="the backend database (default DATABASE_URL)")
    e.add_argument("--skip-backend", action="store_true", help="erase the pipeline's stores only")
    e.add_argument("--warehouse")
    e.add_argument("--landing")
    e.add_argument("--snapshots")
    e.add_argument("--logs", action="append", default=[], help="a log folder to redact (repeatable)")
    e.add_argument("--ledger", default=os.environ.get("ERASURE_LEDGER", "data/erasures.jsonl"),
                   help="where the record of erasures (counts only) is appended")
    e.set_defaults(func=erase)
    r = sub.add_parser("retention", help="delete landing files and logs past RETENTION_*_DAYS")
    r.set_defaults(func=retention)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except IngestionError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
