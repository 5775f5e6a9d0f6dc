"""Write the dbt FHIR staging models from their ViewDefinitions.

    python -m ingestion.sql_on_fhir.generate_staging [--check]

Each `dbt_project/view_definitions/<model>.json` (its `name` is the model name) becomes
`dbt_project/models/staging/fhir/<model>.sql`: a header saying it is generated, a `{{ config(...) }}`
block carried over from the existing model file if it has one, and the compiled query reading
`{{ source('raw', 'fhir_resources') }}` with the raw row's content_hash and loaded_at first. The raw
rows are filtered by `{{ loaded_since_last_build() }}`: true in a view or a full build, and only the
rows loaded since the table's last build in a model whose config block makes it incremental
(append), so the big resource types are parsed once, not by every consumer and test. A view whose
rows come from a top-level `forEach` over an element (Observation.component) reads only the raw
resources whose text names that element: the stored JSON is canonical (keys written plainly), and
a resource without the element gives no row, so the filter only spares parsing the others.
`--check` writes nothing and exits 1 when a model differs from what its ViewDefinition gives.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ingestion.sql_on_fhir import compile_view, load_view
from ingestion.sql_on_fhir.errors import ViewDefinitionError

REPO_ROOT = Path(__file__).resolve().parents[2]
VIEW_DIR = REPO_ROOT / "dbt_project" / "view_definitions"
MODEL_DIR = REPO_ROOT / "dbt_project" / "models" / "staging" / "fhir"
SOURCE = "{{ source('raw', 'fhir_resources') }}"
RAW_ROWS = f"SELECT * FROM {SOURCE} WHERE {{{{ loaded_since_last_build() }}}}"
SOURCE_COLUMNS = ("content_hash", "loaded_at")  # lineage of each raw row, for versions/freshness
ELEMENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
MODEL_NAME = re.compile(r"^stg_fhir__[a-z0-9_]+$")
CONFIG_BLOCK = re.compile(r"\{\{\s*config\(.*?\)\s*\}\}", re.DOTALL)
_JINJA_START = re.compile(r"\{\{|\{%|\{#")


def raw_rows(view: dict) -> str:
    """The raw rows a view reads: RAW_ROWS, narrowed by a text search for each element that a
    top-level `forEach` requires (no element, no row). The text searched for is the element's name
    and the closing quote and colon of its key, without the opening quote: DuckDB's `contains`
    first looks for the text's first byte, and JSON is full of quotes (over the 11.9 GB of a
    10,000-patient year, '"component":' took 12 CPU seconds and 'component":' 4.6). A name that
    only ends in the element's ("subcomponent") lets a resource through to the JSON path, which
    finds nothing there."""
    required = [
        select["forEach"]
        for select in view.get("select", [])
        if ELEMENT_NAME.match(str(select.get("forEach", "")))
    ]
    return RAW_ROWS + "".join(
        f" AND contains(CAST(resource AS VARCHAR), '{name}\":')" for name in required
    )


def render(view: dict, view_file: Path, existing_model: str | None = None) -> str:
    """The model file text for one ViewDefinition."""
    name = view.get("name", "")
    if not MODEL_NAME.match(name):
        raise ViewDefinitionError(
            f"{view_file.name}: 'name' must be the model name stg_fhir__<...>"
        )
    if view_file.stem != name:
        raise ViewDefinitionError(f"{view_file.name}: file name must be {name}.json")
    sql = compile_view(view, source_sql=raw_rows(view), source_columns=SOURCE_COLUMNS)
    if _JINJA_START.search(sql.replace(RAW_ROWS, "")):
        raise ViewDefinitionError(f"{view_file.name}: compiled SQL contains Jinja delimiters")
    try:
        relative = view_file.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:  # a file outside the repository (tests)
        relative = view_file.name
    lines = [
        f"-- GENERATED from {relative} by",
        "-- `python -m ingestion.sql_on_fhir.generate_staging`. Do not edit: change the",
        "-- ViewDefinition (the staging data contract) and regenerate.",
    ]
    if view.get("description"):
        lines.append(f"-- {' '.join(view['description'].split())}")
    config = CONFIG_BLOCK.search(existing_model or "")
    if config:
        lines.append(config.group(0))
    return "\n".join(lines) + "\n" + sql + "\n"


def generate(view_dir: Path = VIEW_DIR, model_dir: Path = MODEL_DIR) -> dict[Path, str]:
    """{model path: expected text} for every ViewDefinition in view_dir."""
    models = {}
    for view_file in sorted(view_dir.glob("*.json")):
        view = load_view(view_file)
        target = model_dir / f"{view.get('name', view_file.stem)}.sql"
        existing = target.read_text(encoding="utf-8") if target.is_file() else None
        models[target] = render(view, view_file, existing)
    return models


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingestion.sql_on_fhir.generate_staging",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--check", action="store_true", help="only report out-of-date models")
    args = parser.parse_args(argv)
    try:
        models = generate()
    except ViewDefinitionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stale = [
        p for p, text in models.items() if not p.is_file() or p.read_text(encoding="utf-8") != text
    ]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(REPO_ROOT)}")
        return 1 if stale else 0
    for path in stale:
        path.write_text(models[path], encoding="utf-8")
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    print(f"{len(models)} staging models, {len(stale)} rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
