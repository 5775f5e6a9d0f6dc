"""A synthetic published snapshot, generated directly in DuckDB, for tests, benchmarks and demos.

It holds the tables the dashboards read (marts, omop, quality, identity) with plausible values:
fever, low-SpO2 and activity-decline episodes in the device data, low mood and symptom flares in
the PROMs, and the alerts those episodes raise, with their evidence. Deterministic for a seed and
a reference day. `python -m dashboards.demo_snapshot --patients 2000 --out data/snapshots`.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from dashboards.catalogue import Catalogue, catalogue
from dashboards.demo_sql import alert_statements, mart_statements, quality_statements


def _write(path: Path, statements: list[str]) -> None:
    con = duckdb.connect(str(path))
    try:
        for statement in statements:
            con.execute(statement)
        con.execute("checkpoint")
    finally:
        con.close()


def build_snapshot(
    out_dir: Path,
    *,
    patients: int = 60,
    days: int = 90,
    seed: int = 7,
    today: date | None = None,
    cat: Catalogue | None = None,
    name: str = "demo",
) -> Path:
    """Write `<name>-marts.duckdb`, `<name>-identity.duckdb` and CURRENT under out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    today = today or datetime.now(UTC).date()
    cat = cat or catalogue()
    marts, identity = out_dir / f"{name}-marts.duckdb", out_dir / f"{name}-identity.duckdb"
    for path in (marts, identity):
        path.unlink(missing_ok=True)
    settings = {"n": patients, "days": days, "seed": seed, "today": today.isoformat()}
    _write(marts, mart_statements(settings) + alert_statements(settings, cat)
           + quality_statements(settings))  # fmt: skip
    # The identity file is built from the marts' patient list and then kept apart from it.
    con = duckdb.connect(str(identity))
    try:
        con.execute(f"attach '{marts}' as m (read_only)")
        con.execute("""
            create schema identity;
            create table identity.patient_identity as
            select patient_key, printf('pat-%05d', _i) as patient_id,
                   ['Anna', 'Lukas', 'Sofia', 'Mateo', 'Emma', 'Jan', 'Chiara', 'Lucas',
                    'Marta', 'Pieter'][1 + _i % 10] || ' ' ||
                   ['Peeters', 'Schneider', 'Martin', 'Rossi', 'de Vries', 'Garcia',
                    'Janssen', 'Weber', 'Novak'][1 + (_i // 10) % 9] as display_name,
                   make_date(2026 - 30 - (_i * 37) % 50, 1 + _i % 12, 1 + _i % 28) as birth_date,
                   centre_id as centre
            from m.marts.patients;
            detach m;
        """)
        con.execute("checkpoint")
    finally:
        con.close()
    pointer = {"marts": marts.name, "identity": identity.name,
               "published_at": f"{today.isoformat()}T06:00:00+00:00"}  # fmt: skip
    tmp = out_dir / "CURRENT.tmp"
    tmp.write_text(json.dumps(pointer), encoding="utf-8")
    tmp.replace(out_dir / "CURRENT")
    return out_dir


def build_empty_snapshot(out_dir: Path, name: str = "empty") -> Path:
    """The same tables with no rows: the benchmark's baseline and the empty-state tests."""
    built = build_snapshot(out_dir, patients=0, days=1, name=name)
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("data/snapshots"))
    args = parser.parse_args(argv)
    build_snapshot(args.out, patients=args.patients, days=args.days, seed=args.seed)
    print(f"synthetic snapshot of {args.patients} patients published in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
