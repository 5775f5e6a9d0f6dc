"""Set-based FHIR loading: validate, hash and insert every resource of a file in DuckDB SQL.

A source relation yields (record_number, line, id_hint, patient_hint): one JSON text per resource.
One statement reads the source once: it parses each line once (its fields and its canonical form
from the same parse), classifies it (a reason code, or null when it is fine), hashes it, and writes
it to raw.fhir_resources: a new resource as itself, a resource raw already held (a mark join on
content_hash: raw has no unique index to maintain) or an invalid line as a marker row. The markers
are counted, the invalid lines quarantined and the markers deleted in the same transaction, so a
line is either quarantined or loaded, never both. Lines repeated within the file are removed after
the insert, in the same transaction (drop_repeats_within_load).

Canonical form: DuckDB's json() of the line (whitespace removed, numbers and escapes normalised,
key order as received). content_hash = md5 of it (ingestion/warehouse.py): 128 bits make an
accidental collision impossible in practice, and a crafted md5 collision needs both resources made
by the same sender, who could as well send one; sha256 cost ~twice as much per byte. Sorting keys
would need per-resource Python, which costs more than the rest of the load; a server's own key
order is stable, and a resource that arrives twice with reordered keys is at worst kept twice,
which the latest-version rule downstream absorbs.
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
# parses the line once). The last, '$', is the whole object written back out: the canonical form,
# byte for byte what json(line) gives, without parsing the line a second time.
_PATHS = ["$.resourceType", "$.id", "$.meta.versionId", "$.meta.lastUpdated",
          "$.code.coding[0].code", "$.valueQuantity.value", "$.valueQuantity.code",
          "$.valueQuantity.unit", *PATIENT_REFERENCE_PATHS, *CHECKED_DATE_PATHS, "$"]
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


def ndjson_source(path: Path, numbered: bool = False) -> str:
    """Read a file as lines, one VARCHAR column, with no CSV or JSON inference at all.

    Numbered, the lines carry their line number (from 1); WITH ORDINALITY is a streaming window,
    which runs everything above it on one thread, so the load reads the file unnumbered
    (record_number null) and numbers it only to place the lines it quarantines.
    """
    quoted = str(path).replace("'", "''")
    number = "record_number" if numbered else "null::bigint as record_number"
    return (f"select {number}, line, null::varchar as id_hint, "
            f"null::varchar as patient_hint from read_csv('{quoted}', columns={{'line': 'VARCHAR'}}, "
            f"header=false, delim='\x1e\x1f', quote='', escape='', auto_detect=false, "
            f"max_line_size={MAX_LINE_BYTES}, buffer_size={2 * MAX_LINE_BYTES}, "
            f"strict_mode=false)" + (" with ordinality as t(line, record_number)" if numbered else ""))


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


# Marker rows: the load writes every line to raw.fhir_resources in one statement, the lines that do
# not belong there as small marker rows (resource_type ''), which are counted, quarantined and
# deleted before the file's transaction commits, so no other reader ever sees one.
_QUARANTINED = "!"  # content_hash '!' || reason_code; resource_id the record number ('' if unknown),
#                    version_key hash(line), resource the line as a JSON string
_SEEN = "="  # a resource raw held before this load: content_hash '=', nothing else kept


def load_sql(source: str, expected_type: str | None) -> str:
    """The one statement that validates, canonicalises, hashes and inserts every line of `source`
    (parameters: source kind, source file, load id). Its plan has no window and no positional
    pairing, so every operator runs on all threads."""
    f = lambda path: f"v[{_F[path]}]"
    rid = f"coalesce({f('$.id')}, id_hint)"
    patient_refs = ", ".join(f(p) for p in PATIENT_REFERENCE_PATHS)
    new = "reason_code is null and not seen"
    return f"""
        insert into raw.fhir_resources
        with checked as (
            select *, h in (select content_hash from raw.fhir_resources) as seen
            from (select *, md5(canon) as h
                  from (select *, if(reason_code is null, {f('$')}, null) as canon
                        from ({classified_sql(source, expected_type)})))
        )
        select case when reason_code is not null then '{_QUARANTINED}' || reason_code
                    when seen then '{_SEEN}' else h end,
               if({new}, {f('$.resourceType')}, ''),
               case when reason_code is not null then coalesce(record_number::varchar, '')
                    when seen then '' else {rid} end,
               case when reason_code is not null then hash(line)::varchar
                    when not seen then coalesce({f('$.meta.versionId')}, {f('$.meta.lastUpdated')}) end,
               if({new}, try_cast({f('$.meta.lastUpdated')} as timestamptz), null),
               if({new}, nullif(coalesce(
                   if({f('$.resourceType')} = 'Patient', {rid}, null),
                   patient_hint,
                   regexp_extract(coalesce({patient_refs}), 'Patient/({ID_PATTERN})(/_history/.*)?$', 1)), ''),
                  null),
               ?, ?, ?, now(),
               case when reason_code is not null then coalesce(to_json(line), 'null')
                    when seen then 'null' else canon end
        from checked
    """


def load_fhir_lines(ctx: FileLoad, source: str, expected_type: str | None = None,
                    numbered: str | None = None) -> None:
    """Load the resources of one source, a relation SQL of (record_number, line, id_hint,
    patient_hint), in one pass over it; `numbered` is the same lines with their record numbers,
    read only when the source gives none and some line is quarantined.

    Each line is validated, made canonical and hashed once, and lands in raw.fhir_resources in
    the same statement: a resource raw does not hold yet as itself; a resource raw already holds,
    and an invalid line, as a marker row. The markers are then counted, the invalid lines moved to
    quarantine, and all markers deleted, inside the file's transaction. Nothing holds the file's
    lines in memory, and no step runs on one thread only.
    """
    con = ctx.con
    ensure_unit_rules(con)
    written = con.execute(load_sql(source, expected_type),
                          [ctx.kind, ctx.source_file, ctx.load_id]).fetchone()[0]
    markers = f"raw.fhir_resources where load_id = '{ctx.load_id}' and resource_type = ''"
    seen, bad = con.execute(f"select count(*) filter (where content_hash = '{_SEEN}'), "
                            f"count(*) filter (where content_hash <> '{_SEEN}') from {markers}").fetchone()
    if bad:
        _quarantine_markers(ctx, markers, bad, numbered)
    if seen or bad:
        con.execute(f"delete from {markers}")
    inserted = written - seen - bad
    inserted -= drop_repeats_within_load(con, "raw.fhir_resources", ctx.load_id)
    ctx.loaded += inserted
    ctx.duplicates += written - bad - inserted


def _quarantine_markers(ctx: FileLoad, markers: str, bad: int, numbered: str | None) -> None:
    """Quarantine the invalid lines the load marked. Lines that came without a record number are
    found again in the numbered source by their hash (one more read of the file, only when it has
    invalid lines); a file changing underneath shows as a different count and fails loudly."""
    con = ctx.con
    bad_rows = (f"select nullif(resource_id, '')::bigint as record_number, substr(content_hash, 2) as reason_code, "
                f"version_key as line_hash, resource ->> '$' as content from {markers} and content_hash <> '{_SEEN}'")
    numbered_again = ""
    if con.execute(f"select count(*) from ({bad_rows}) where record_number is null").fetchone()[0]:
        if numbered is None:
            raise ValueError("quarantined lines without a record number")
        numbered_again = f"""
            union all
            select n.record_number, b.reason_code, n.line
            from ({numbered}) n
            join (select distinct line_hash, reason_code from ({bad_rows}) where record_number is null) b
              on hash(n.line)::varchar = b.line_hash"""
    con.execute(f"""
        create or replace temp table _bad as
        select record_number, reason_code, content from ({bad_rows}) where record_number is not null
        {numbered_again}
    """)
    if con.execute("select count(*) from _bad").fetchone()[0] != bad:
        raise ValueError("the file changed while it was being loaded")
    ctx.quarantine_from_table("_bad")
    con.execute("drop table _bad")
