"""`python -m ingestion view VIEW.json [--warehouse FILE] --out FILE.csv|FILE.parquet`

Runs one ViewDefinition against the warehouse's raw.fhir_resources and writes its rows with
DuckDB's COPY, so large views stream to disk without passing through Python.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ingestion import warehouse
from ingestion.errors import IngestionError
from ingestion.sql_on_fhir import compile_view, load_view, view_errors
from ingestion.sql_on_fhir.values import sql_string

FORMATS = {".csv": "(FORMAT csv, HEADER true)", ".parquet": "(FORMAT parquet)"}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "view",
        help="run a SQL-on-FHIR ViewDefinition against the warehouse",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("view", type=Path, help="ViewDefinition JSON file")
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help="DuckDB warehouse file (default: $WAREHOUSE_PATH or data/warehouse.duckdb)",
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="output file ending in .csv or .parquet"
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    out_format = FORMATS.get(args.out.suffix.lower())
    if out_format is None:
        raise IngestionError(f"--out {args.out} must end in .csv or .parquet")
    sql = compile_view(load_view(args.view))
    database = warehouse.warehouse_path(args.warehouse)
    if not database.is_file():
        raise IngestionError(
            f"warehouse {database} does not exist: load FHIR data first "
            "(python -m ingestion load) or pass --warehouse"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    con = warehouse.connect(database, read_only=True)
    try:
        with view_errors():
            written = con.execute(
                f"COPY ({sql}) TO {sql_string(str(args.out))} {out_format}"
            ).fetchone()
    finally:
        con.close()
    rows = written[0] if written else "?"
    print(f"wrote {rows} rows of view {args.view.name} to {args.out}")
    return 0
