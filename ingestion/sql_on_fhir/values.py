"""Compiled FHIRPath values and the SQL that turns one representation into another.

A FHIRPath expression denotes a collection. The compiler keeps it in the cheapest form it can:

* ``path``   - a JSON expression plus a JSONPath still to apply (`resource` + `.name[*].family`), so
               successive navigation steps fold into one json_extract call;
* ``json``   - an SQL expression of type JSON (at most one item) or JSON[] (``many``);
* ``native`` - a typed SQL value (BOOLEAN, VARCHAR, DOUBLE, ...) or a list of them (``many``);
* ``choice`` - a choice element such as Observation.value[x], resolved by ofType() or, failing
               that, by taking whichever variant is present.

SQL NULL stands for the empty collection of a single-valued expression; an empty or NULL list for
the empty collection of a many-valued one; a JSON null is empty too. Scalars are read from their
text (json_extract_string) whenever the JSON itself is not needed: one text extraction per
document serves every column. All functions here only build SQL text.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, replace

from ingestion.sql_on_fhir import schema
from ingestion.sql_on_fhir.errors import RUNTIME_ERROR_PREFIX

_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# A path read through a RootBatch, until the batch numbers the paths the finished SQL still uses.
_TOKEN = re.compile("\x1f([0-9]+)([sjl])([^\x1f]*)\x1f")


@dataclass(frozen=True)
class Value:
    kind: str  # path | json | native | choice
    sql: str
    many: bool
    fhir_type: str | None
    segs: str = ""  # path, choice: JSONPath (after `$`) still to apply to `sql`
    choice_name: str = ""  # choice: the element name without its type suffix (`value`)
    choices: tuple = ()  # choice: ((suffix, fhir_type), ...)
    first_sql: str = (
        ""  # json: a cheaper SQL for the first item, when known (e.g. a | b -> coalesce)
    )
    first_text: str = ""  # json: the text of that first item, when known (see Converter.text_one)
    text: str = ""  # json, single item: its text, when cheaper than going through its JSON


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def json_member(name: str) -> str:
    return f".{name}" if _PLAIN_NAME.match(name) else '."' + name.replace('"', '\\"') + '"'


def sql_type(fhir_type: str | None) -> str:
    """The DuckDB type a value of this FHIR type is returned as."""
    if fhir_type in schema.BOOLEAN_TYPES:
        return "BOOLEAN"
    if fhir_type == "integer64":
        return "BIGINT"
    if fhir_type in schema.INTEGER_TYPES:
        return "INTEGER"
    if fhir_type in schema.DECIMAL_TYPES:
        return "DOUBLE"
    if fhir_type is None or fhir_type in schema.PRIMITIVE_TYPES:
        return "VARCHAR"
    return "JSON"


def path(base: str, fhir_type: str | None, segs: str = "", many: bool = False) -> Value:
    return Value("path", base, many, fhir_type, segs)


def native(sql: str, fhir_type: str | None, many: bool = False) -> Value:
    return Value("native", sql, many, fhir_type)


def empty(fhir_type: str | None) -> Value:
    return native(f"CAST(NULL AS {sql_type(fhir_type)})", fhir_type)


def runtime_error(message: str) -> str:
    return f"error({sql_string(RUNTIME_ERROR_PREFIX + message)})"


def _variants(choice: Value) -> list[Value]:
    """The paths of a choice element's variants (valueQuantity, valueString, ...)."""
    return [
        path(choice.sql, None, choice.segs + json_member(choice.choice_name + suffix))
        for suffix, _ in choice.choices
    ]


def from_text(text: str, target: str) -> str:
    """A value of SQL type `target` read from its JSON text (json_extract_string), giving what
    CAST(JSON AS target) gives: JSON true/false count 1/0 as numbers, a number is TRUE when not 0,
    an integer rounds a fraction half to even (through DOUBLE). `text` should be a plain reference;
    a longer expression is bound once rather than evaluated per CASE branch."""
    if target == "VARCHAR":
        return text
    if target not in ("BOOLEAN", "DOUBLE", "INTEGER", "BIGINT"):
        return f"CAST({text} AS {target})"
    if _TOKEN.fullmatch(text) or re.fullmatch(r"[A-Za-z0-9_.]+\[[0-9]+\]", text):
        t, bound = text, None
    else:
        t, bound = "_t", text
    number = {
        "BOOLEAN": f"CAST(CAST({t} AS DOUBLE) AS BOOLEAN)",
        "DOUBLE": f"CAST({t} AS DOUBLE)",
        "INTEGER": f"CAST(CAST({t} AS DOUBLE) AS INTEGER)",
        "BIGINT": f"CASE WHEN regexp_matches({t}, '[.eE]') THEN CAST(CAST({t} AS DOUBLE) AS BIGINT) "
        f"ELSE CAST({t} AS BIGINT) END",
    }[target]
    yes, no = ("TRUE", "FALSE") if target == "BOOLEAN" else ("1", "0")
    sql = f"CASE {t} WHEN 'true' THEN {yes} WHEN 'false' THEN {no} ELSE {number} END"
    return sql if bound is None else f"list_transform([{bound}], lambda {t}: {sql})[1]"


class RootBatch:
    """JSONPaths read from one document (the resource or a forEach item), extracted together.

    `json_extract_string(resource, [p1, p2, ...])` parses the document once; reading 14 paths this
    way costs about a fifth of 14 separate calls. Wildcard paths cannot be batched (DuckDB rule).
    A read gives a placeholder; `resolve` numbers the paths the finished SQL still uses, so a form
    that was built but not used (the JSON of a value read as text) costs no extraction. Scalars
    are read as text, so a document is usually parsed once; JSON is extracted only for values used
    as JSON (a complex-typed column, a list function's input).

    A nested `forEach` over a member array registers a *list* read (`items`): the array's items as
    typed structs holding just what the forEach body reads (its schema). Once every read is known,
    `plan` may switch the batch to *typed* reads: one `json_transform` of the document to a struct
    of all its reads, member arrays included, so a resource with nested items is parsed once, not
    once more per item (questionnaire answers: three parses per answer before). Typed reads are
    only possible when the reads form one tree (no path read both as text and as an object) and are
    all text or member arrays: `json_transform` reads a value to VARCHAR as `json_extract_string`
    does (text of a number as written out, objects and arrays as JSON text, NULL for a JSON null or
    a value of another shape), but a JSON null to JSON as SQL NULL where `json_extract` gives 'null'.
    Otherwise a list is read as `json_transform(json_extract(document, path), [schema])`.
    """

    _ids = itertools.count(1)

    def __init__(
        self,
        base: str,
        strings_column: str = "_rs",
        json_column: str = "_rj",
        lists_column: str = "_rl",
        typed_base: str = "_rt",
    ):
        self.base, self.strings_column, self.json_column = base, strings_column, json_column
        self.lists_column, self.typed_base = lists_column, typed_base
        self.id = next(self._ids)
        self.strings: dict[str, int] = {}
        self.jsons: dict[str, int] = {}
        self.lists: dict[int, int] = {}  # list read -> number of its column (untyped reads)
        self.list_reads: list[tuple[str, dict]] = []  # (member path, item schema) per list read
        self.schema: dict | None = None  # typed reads: the json_transform schema of the document

    def accepts(self, value: Value) -> bool:
        return (
            value.kind == "path"
            and value.sql == self.base
            and value.segs
            and "[*]" not in value.segs
        )

    def accepts_items(self, value: Value) -> bool:
        """Whether `value` (a forEach's collection) is a member array of this document that a
        list read can give: `.a.b[*]`, members and indexes before the one wildcard at the end."""
        return (
            value.kind == "path"
            and value.many
            and value.sql == self.base
            and value.segs.endswith("[*]")
            and bool(_steps(value.segs[:-3]))
        )

    def string(self, segs: str) -> str:
        return f"\x1f{self.id}s${segs}\x1f"

    def json(self, segs: str) -> str:
        return f"\x1f{self.id}j${segs}\x1f"

    def items(self, value: Value, schema: dict) -> str:
        """The items of the member array `value` (see accepts_items) as a LIST of STRUCTs of
        `schema`: empty (not NULL) when the array is absent."""
        self.list_reads.append((value.segs[:-3], schema))
        return f"\x1f{self.id}l{len(self.list_reads) - 1}\x1f"

    def _used(self, pieces: list[str]) -> list[tuple[str, str]]:
        return [
            (m.group(2), m.group(3))
            for piece in pieces
            for m in _TOKEN.finditer(piece)
            if int(m.group(1)) == self.id
        ]

    def reads_items(self, pieces: list[str]) -> bool:
        """Whether the finished SQL `pieces` read a member array's items from this document."""
        return any(kind == "l" for kind, _ in self._used(pieces))

    def plan(self, pieces: list[str], typed: bool) -> bool:
        """Choose typed reads (see the class) for the finished SQL `pieces`, if `typed` and the
        reads allow it; call before `resolve`. Returns whether the reads are typed."""
        self.schema = None
        if not typed:
            return False
        tree: dict = {}
        for kind, payload in self._used(pieces):
            if kind == "j":  # json_transform reads a JSON null as SQL NULL, json_extract as 'null'
                return False
            if kind == "l":
                segs, schema = self.list_reads[int(payload)]
                node: object = [schema]
            else:
                segs, node = payload[1:], "VARCHAR"
            steps = _steps(segs)
            merged = _merge(tree, _nest(steps, node)) if steps else None
            if merged is None:
                return False
            tree = merged
        self.schema = tree or None
        return self.schema is not None

    def resolve(self, sql: str) -> str:
        """`sql` with this batch's placeholders replaced by column references, numbering the
        paths in order of first use (call it on every piece of the finished SQL, in order)."""

        def reference(match: re.Match) -> str:
            if int(match.group(1)) != self.id:
                return match.group(0)
            kind, payload = match.group(2), match.group(3)
            if kind == "l":
                segs = self.list_reads[int(payload)][0]
                if self.schema is not None:
                    return f"coalesce({self.typed_base}{_accessor(segs)}, [])"
                return (
                    f"{self.lists_column}{self.lists.setdefault(int(payload), len(self.lists) + 1)}"
                )
            if self.schema is not None:
                return f"{self.typed_base}{_accessor(payload[1:])}"
            paths, column = (
                (self.strings, self.strings_column)
                if kind == "s"
                else (self.jsons, self.json_column)
            )
            return f"{column}[{paths.setdefault(payload, len(paths) + 1)}]"

        return _TOKEN.sub(reference, sql)

    @property
    def size(self) -> int:
        return len(self.strings) + len(self.jsons) + len(self.lists)

    def extractions(self, document_sql: str) -> list[tuple[str, str]]:
        """(column, SQL) pairs extracting every registered path from `document_sql` at once."""
        if self.schema is not None:
            return [
                (self.typed_base, f"json_transform({document_sql}, {_schema_sql(self.schema)})")
            ]
        items = []
        for function, paths, column in (
            ("json_extract_string", self.strings, self.strings_column),
            ("json_extract", self.jsons, self.json_column),
        ):
            if paths:
                listed = ", ".join(sql_string(p) for p in paths)
                items.append((column, f"{function}({document_sql}, [{listed}])"))
        for read, number in self.lists.items():
            segs, schema = self.list_reads[read]
            array = f"json_extract({document_sql}, {sql_string('$' + segs)})"
            items.append(
                (
                    f"{self.lists_column}{number}",
                    f"coalesce(json_transform({array}, {_schema_sql([schema])}), [])",
                )
            )
        return items


_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[([0-9]+)\]")


def _steps(segs: str) -> list[tuple[str, int | None]] | None:
    """A JSONPath of plain members and indexes as (member, None) / ("", index) steps; None for
    anything else (a quoted member, a wildcard, an index from the end)."""
    steps, position = [], 0
    while position < len(segs):
        match = _STEP.match(segs, position)
        if not match:
            return None
        steps.append((match.group(1), None) if match.group(1) else ("", int(match.group(2))))
        position = match.end()
    return steps or None


def _nest(steps: list[tuple[str, int | None]], leaf: object) -> object:
    """The json_transform schema reading `leaf` at the end of `steps` (an index reads an array)."""
    node = leaf
    for member, index in reversed(steps):
        node = [node] if index is not None else {member: node}
    return node


def _merge(a: object, b: object) -> object | None:
    """Two schemas as one, or None when they read the same place differently. Member names that
    differ only in case clash too (DuckDB struct fields are case-insensitive)."""
    if isinstance(a, dict) and isinstance(b, dict):
        merged = dict(a)
        for name, node in b.items():
            same = next((n for n in merged if n.lower() == name.lower()), None)
            if same is None:
                merged[name] = node
                continue
            if same != name or (inner := _merge(merged[name], node)) is None:
                return None
            merged[name] = inner
        return merged
    if isinstance(a, list) and isinstance(b, list):
        inner = _merge(a[0], b[0])
        return None if inner is None else [inner]
    return a if isinstance(a, str) and a == b else None


def _accessor(segs: str) -> str:
    """The struct and list access in a typed document for a path that `_steps` reads."""
    return "".join(
        f'."{member}"' if index is None else f"[{index + 1}]" for member, index in _steps(segs)
    )


def _schema_sql(schema: object) -> str:
    return sql_string(json.dumps(schema, separators=(",", ":")))


class Converter:
    """Builds conversion SQL; owns the lambda-variable counter so names never collide."""

    def __init__(self, batch: RootBatch | None = None):
        self._counter = 0
        self.batches: list[RootBatch] = [batch] if batch else []

    def _batch(self, value: Value) -> RootBatch | None:
        return next((b for b in self.batches if b.accepts(value)), None)

    def fresh(self, stem: str) -> str:
        self._counter += 1
        return f"_{stem}{self._counter}"

    # -- JSON -------------------------------------------------------------------------------
    def json_one(self, value: Value) -> str:
        """JSON of a single-item value (the first item is never chosen silently: check first)."""
        if value.kind == "path":
            if batch := self._batch(value):
                return batch.json(value.segs)
            return (
                f"json_extract({value.sql}, {sql_string('$' + value.segs)})"
                if value.segs
                else value.sql
            )
        if value.kind == "choice":
            return f"coalesce({', '.join(self.json_one(v) for v in _variants(value))})"
        if value.kind == "native":
            return f"to_json({value.sql})"
        return value.sql

    def json_list(self, value: Value) -> str:
        """JSON[] of any value (NULL may stand for the empty list)."""
        if not value.many:
            return self.wrap(self.json_one(value), "JSON")
        if value.kind == "path":
            return f"json_extract({value.sql}, {sql_string('$' + value.segs)})"
        if value.kind == "choice":
            parent = self.json_list(replace(value, kind="path"))
            item = self.fresh("c")
            pick = self.json_one(
                Value("choice", item, False, None, "", value.choice_name, value.choices)
            )
            return f"list_filter(list_transform({parent}, lambda {item}: {pick}), lambda {item}: {item} IS NOT NULL)"
        if value.kind == "native":
            item = self.fresh("n")
            return f"list_transform({value.sql}, lambda {item}: to_json({item}))"
        return value.sql

    def as_path(self, value: Value) -> Value:
        """The same collection in path form, so member navigation can extend its JSONPath."""
        if value.kind == "path":
            return value
        if value.many:
            return path(f"to_json({self.json_list(value)})", value.fhir_type, "[*]", True)
        return path(self.json_one(value), value.fhir_type)

    @staticmethod
    def wrap(item_sql: str, element_sql_type: str) -> str:
        return f"CASE WHEN ({item_sql}) IS NULL THEN []::{element_sql_type}[] ELSE [{item_sql}] END"

    # -- native values --------------------------------------------------------------------------
    def text_one(self, value: Value) -> str | None:
        """VARCHAR text of a single-item value as json_extract_string reads it (a string unquoted,
        a number or Boolean as written, an object or array as JSON; NULL when absent or a JSON
        null), when it is read without building the item's JSON: a member path (batched: one
        extraction per document), a choice element or `(a | b).first()` (coalesce of the texts)."""
        if value.many:
            return None
        if value.kind == "path" and value.segs:
            if batch := self._batch(value):
                return batch.string(value.segs)
            return f"json_extract_string({value.sql}, {sql_string('$' + value.segs)})"
        if value.kind == "choice":
            return f"coalesce({', '.join(self.text_one(v) for v in _variants(value))})"
        return value.text or None

    def native_one(self, value: Value, want: str | None = None) -> str:
        """A typed SQL value of a single-item value, read as FHIR type `want` (default: its own)."""
        if value.kind == "native":
            return value.sql
        target = sql_type(want or value.fhir_type)
        if target == "JSON":
            return self.json_one(value)
        text = self.text_one(value)
        if text is not None:
            return from_text(text, target)
        if target == "VARCHAR":
            return f"json_extract_string({self.json_one(value)}, '$')"
        return f"CAST({self.json_one(value)} AS {target})"

    def native_list(self, value: Value, want: str | None = None) -> str:
        fhir_type = want or value.fhir_type
        target = sql_type(fhir_type)
        if not value.many:
            return self.wrap(self.native_one(value, want), target)
        if value.kind == "native":
            return value.sql
        if target == "VARCHAR" and value.kind == "path":
            return f"json_extract_string({value.sql}, {sql_string('$' + value.segs)})"
        item = self.fresh("v")
        one = self.native_one(path(item, fhir_type), want)
        return f"list_transform({self.json_list(value)}, lambda {item}: {one})"

    def single(self, value: Value, what: str, want: str | None = None) -> str:
        """A typed SQL value that must hold at most one item (a run-time error otherwise)."""
        if not value.many:
            return self.native_one(value, want)
        items = self.native_list(value, want)
        return (
            f"CASE WHEN len({items}) > 1 THEN {runtime_error(what + ' returned more than one value')}"
            f" ELSE ({items})[1] END"
        )

    def single_json(self, value: Value, what: str) -> str:
        if not value.many:
            return self.json_one(value)
        items = self.json_list(value)
        return (
            f"CASE WHEN len({items}) > 1 THEN {runtime_error(what + ' returned more than one value')}"
            f" ELSE ({items})[1] END"
        )

    def exists(self, value: Value) -> str:
        if value.many:
            return f"coalesce(len({self.json_list(value) if value.kind != 'native' else value.sql}), 0) > 0"
        # A JSON null is absent, as FHIRPath sees it.
        if value.kind == "path" and value.segs and not self._batch(value):
            # json_type does not write the value out as text (an object may be large)
            return (
                f"coalesce(json_type({value.sql}, {sql_string('$' + value.segs)}) <> 'NULL', FALSE)"
            )
        text = self.text_one(value)
        if text is not None:
            return f"({text} IS NOT NULL)"
        one = value.sql if value.kind == "native" else self.json_one(value)
        return f"(({one}) IS NOT NULL)"

    def to_bool(self, value: Value, what: str) -> str:
        """FHIRPath's singleton evaluation of a collection as a Boolean (NULL when empty)."""
        if value.fhir_type == "boolean":
            return self.single(value, what, "boolean")
        item = self.single_json(value, what) if value.kind != "native" else self.single(value, what)
        if value.fhir_type is not None:  # one non-Boolean item counts as true
            text = self.text_one(value)
            return f"CASE WHEN ({item if text is None else text}) IS NOT NULL THEN TRUE END"
        return (
            f"CASE WHEN json_type({item}) = 'BOOLEAN' THEN CAST({item} AS BOOLEAN) "
            f"WHEN ({item}) IS NOT NULL THEN TRUE END"
        )
