"""Set-based FHIR loading: validate, hash and insert every resource of a file in DuckDB SQL.

A source relation yields (record_number, line, id_hint, patient_hint): one JSON text per resource.
Pass 1 classifies each line (a reason code, or null when it is fine) and keeps only the offending
lines' text; pass 2 re-reads the source beside pass 1's rows and inserts the fine lines that raw
does not hold yet (an anti-join: raw has no unique index to maintain), so a line is either
quarantined or loaded, never both. Lines repeated within the file are removed after the insert,
in the same transaction (drop_repeats_within_load).

Canonical form: DuckDB's json() of the line (whitespace removed, numbers and escapes normalised,
key order as received). content_hash = sha256 of it. Sorting keys would need per-resource Python,
which costs more than the rest of the load; a server's own key order is stable, and a resource that
arrives twice with reordered keys is at worst kept twice, which the latest-version rule downstream
absorbs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingestion.load.fhir_types import (
    CHECKED_DATE_PATHS,
    ID_PATTERN,
    PATIENT_REFERENCE_PATHS,
    PATIENT_SCOPED,
    RESOURCE_TYPES,
)
from ingestion.load.session import FileLoad, drop_repeats_within_load
from ingestion.load.staging import sql_string
from ingestion.load.units import BY_LOINC, sql_unit_rules

MAX_LINE_BYTES = 64 << 20  # a single resource may be large (attachments), but not unbounded

# Field positions in the list extracted once per line (json_extract_string with a list of paths
# parses the line once).
_PATHS = ["$.resourceType", "$.id", "$.meta.versionId", "$.meta.lastUpdated",
          "$.code.coding[0].code", "$.valueQuantity.value", "$.valueQuantity.code",
          "$.valueQuantity.unit", *PATIENT_REFERENCE_PATHS, *CHECKED_DATE_PATHS]
_F = {path: i + 1 for i, path in enumerate(_PATHS)}


def _is_one_of(expr: str, values) -> str:
    # A regular expression, not IN or list_contains: DuckDB plans a long IN list as a join, which
    # does not keep the rows in file order (the positional join of pass 2 relies on it).
    assert all(re.fullmatch(r"[A-Za-z0-9\-]+", v) for v in values)
    return f"regexp_full_match({expr}, '{'|'.join(sorted(values))}')"


def _date_is_bad(expr: str, latest: str) -> str:
    # FHIR dates may be partial (YYYY, YYYY-MM): padded only when the plain cast fails (coalesce
    # evaluates its later arguments for those rows alone). Absent dates (most paths, most rows)
    # stop at the null test.
    moment = (f"coalesce(try_cast({expr} as timestamptz), try_cast({expr} || '-01-01' as timestamptz), "
              f"try_cast({expr} || '-01' as timestamptz))")
    return (f"({expr} is not null and coalesce(not ({moment} between timestamptz '1900-01-01' "
            f"and timestamptz '{latest}'), true))")


def ndjson_source(path: Path) -> str:
    """Read a file as lines, one VARCHAR column, with no CSV or JSON inference at all. Lines are
    numbered later, by their position (record_number null here)."""
    quoted = str(path).replace("'", "''")
    return (f"select null::bigint as record_number, line, null::varchar as id_hint, "
            f"null::varchar as patient_hint from read_csv('{quoted}', columns={{'line': 'VARCHAR'}}, "
            f"header=false, delim='\x1e\x1f', quote='', escape='', auto_detect=false, "
            f"max_line_size={MAX_LINE_BYTES}, buffer_size={2 * MAX_LINE_BYTES}, "
            f"strict_mode=false)")


def classified_sql(source: str, expected_type: str | None) -> str:
    """Each source line with its fields and its reason_code (null = loadable).

    The line is parsed once: try(json_extract_string(line, [paths])) is null exactly when the line
    is not JSON. Unit rules are one constant MAP ('loinc|unit' -> [factor, shift, low, high]). The
    plan is scans and projections only, so the rows come out in the source's order.
    """
    f = lambda path: f"v[{_F[path]}]"
    patient_ref = "coalesce(" + ", ".join(f(p) for p in PATIENT_REFERENCE_PATHS) + ")"
    latest = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    bad_dates = " or ".join(_date_is_bad(f(p), latest) for p in CHECKED_DATE_PATHS)
    type_ok = _is_one_of(f('$.resourceType'), RESOURCE_TYPES)
    if expected_type:
        type_ok += f" and {f('$.resourceType')} = '{expected_type}'"
    code = f("$.code.coding[0].code")
    unit_key = f"{code} || '|' || lower(coalesce({f('$.valueQuantity.code')}, {f('$.valueQuantity.unit')}, ''))"
    value = f"try_cast({f('$.valueQuantity.value')} as double)"
    return f"""
    with parsed as (
        select *, try(json_extract_string(line, {_PATHS!r})) as v
        from ({source})
    ),
    checked as (
        select *, {_is_one_of(code, BY_LOINC)} as measured,
               getvariable('unit_rules')[{unit_key}] as rule
        from parsed
    )
    select record_number, line, id_hint, patient_hint, v,
           case
             when v is null then 'invalid-json'
             when left(ltrim(line), 1) <> '{{' then 'not-an-object'
             when not coalesce({type_ok}, false) then 'wrong-resource-type'
             when not coalesce(regexp_full_match(coalesce({f('$.id')}, id_hint), '{ID_PATTERN}'), false)
               then 'missing-id'
             when {_is_one_of(f('$.resourceType'), PATIENT_SCOPED)}
                  and {patient_ref} is null and patient_hint is null then 'missing-subject'
             when {bad_dates} then 'impossible-date'
             when {f('$.resourceType')} = 'Observation' and measured
                  and {f('$.valueQuantity.value')} is not null and rule is null then 'unknown-unit'
             when {f('$.resourceType')} = 'Observation' and measured and rule is not null
                  and coalesce(not ({value} * rule[1] + rule[2] between rule[3] and rule[4]), true)
               then 'impossible-value'
           end as reason_code
    from checked
    """


def ensure_unit_rules(con) -> None:
    """The unit rules as a MAP in a session variable, once per connection (binding it inline costs
    ~0.1 s). getvariable() is a constant to the planner: no join, so the lines keep their order."""
    if con.execute("select getvariable('unit_rules') is null").fetchone()[0]:
        entries = ", ".join(f"{sql_string(loinc + '|' + alias)}: [{factor!r}, {shift!r}, {float(low)!r}, {float(high)!r}]"
                            for loinc, alias, factor, shift, low, high in sql_unit_rules())
        con.execute(f"set variable unit_rules = MAP {{{entries}}}::MAP(VARCHAR, DOUBLE[])")


def load_fhir_lines(ctx: FileLoad, source: str, expected_type: str | None = None) -> None:
    """Load the resources of one source, a relation SQL of (record_number, line, id_hint,
    patient_hint); a null record_number stands for the line's position (1-based).

    Pass 1 validates every line once and keeps, in file order, its reason code (and text, when it
    is quarantined) or the columns raw needs. Pass 2 re-reads the lines beside pass 1's rows
    (a positional join: no hash table, no line numbering) and inserts the canonical JSON of the loadable ones that
    raw does not hold yet. The line length is compared across the passes, so a file changing
    underneath fails loudly.
    """
    con = ctx.con
    ensure_unit_rules(con)
    patient_refs = ", ".join(f"v[{_F[p]}]" for p in PATIENT_REFERENCE_PATHS)
    con.execute(f"""
        create or replace temp table _classified as
        select record_number, reason_code, hash(line) as line_hash,
               case when reason_code is not null then line end as content,
               case when reason_code is null then v[{_F['$.resourceType']}] end as rtype,
               case when reason_code is null then coalesce(v[{_F['$.id']}], id_hint) end as rid,
               case when reason_code is null
                    then coalesce(v[{_F['$.meta.versionId']}], v[{_F['$.meta.lastUpdated']}]) end as version_key,
               case when reason_code is null
                    then try_cast(v[{_F['$.meta.lastUpdated']}] as timestamptz) end as last_updated,
               case when reason_code is null then nullif(coalesce(
                   case when v[{_F['$.resourceType']}] = 'Patient' then coalesce(v[{_F['$.id']}], id_hint) end,
                   patient_hint,
                   regexp_extract(coalesce({patient_refs}), 'Patient/({ID_PATTERN})(/_history/.*)?$', 1)), '')
               end as patient_id
        from ({classified_sql(source, expected_type)})
    """)
    total, bad = con.execute("select count(*), count(reason_code) from _classified").fetchone()
    if bad:
        # The temp table keeps the source's order, so its rowid counts the lines.
        con.execute("create or replace temp view _bad as select coalesce(record_number, rowid - "
                    "(select min(rowid) from _classified) + 1) as record_number, reason_code, content "
                    "from _classified where reason_code is not null")
        ctx.quarantine_from_table("_bad")
        con.execute("drop view _bad")
    inserted = 0
    if total > bad:
        inserted = con.execute(f"""
            insert into raw.fhir_resources
            with hashed as (
                select *, sha256(canon) as h
                from (select c.*, json(if(hash(s.line) = c.line_hash, s.line,
                                          error('the file changed while it was being loaded'))) as canon
                      from ({source}) s positional join _classified c
                      where c.reason_code is null)
            )
            select h.h, h.rtype, h.rid, h.version_key, h.last_updated, h.patient_id, ?, ?, ?, now(), h.canon
            from hashed h anti join raw.fhir_resources r on r.content_hash = h.h
        """, [ctx.kind, ctx.source_file, ctx.load_id]).fetchone()[0]
        inserted -= drop_repeats_within_load(con, "raw.fhir_resources", ctx.load_id)
    con.execute("drop table _classified")
    ctx.loaded += inserted
    ctx.duplicates += (total - bad) - inserted
