"""A ViewDefinition compiled to one DuckDB query.

Every select node becomes an SQL expression, evaluated once per resource, that yields the node's
rows as a LIST of STRUCTs: columns make a one-row list, forEach maps its body over a JSON array
with list_transform (the lambda's index gives %rowIndex), sibling selects form a cross product and
unionAll concatenates. The top level keeps single-row columns as plain columns and unnests the
rest once, so there are no correlated subqueries or self-joins and the resource JSON is parsed
per column only once. A forEach over a member array that reads its items only through plain paths
takes them as typed structs from the document above it (RootBatch typed reads), so nested items
are not parsed again. `repeat` unrolls to MAX_REPEAT_DEPTH levels and raises an error if the data
nests deeper (DuckDB lambdas cannot recurse, and subqueries are not allowed inside them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingestion.sql_on_fhir import schema, validate
from ingestion.sql_on_fhir.errors import ViewDefinitionError
from ingestion.sql_on_fhir.fhirpath_compiler import ExpressionCompiler, Scope, constant_value
from ingestion.sql_on_fhir.values import (
    Converter,
    RootBatch,
    path,
    runtime_error,
    sql_string,
    sql_type,
)

MAX_REPEAT_DEPTH = (
    16  # questionnaires nest a few levels; deeper data raises an error, never loses rows
)
_SQL_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])?$")
TYPE_TAGS = ("duckdb/type", "ansi/type")  # a column tag overriding the SQL type of the column


@dataclass
class Shape:
    """Rows of a select node: single-row `fields` (name, sql, type) times the rows of `multi`."""

    fields: list = field(default_factory=list)
    multi: str | None = None
    multi_fields: list = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [name for name, _, _ in self.fields] + [name for name, _ in self.multi_fields]

    def types(self) -> dict:
        return {name: sql_t for name, _, sql_t in self.fields} | dict(self.multi_fields)


def _lines(items: list[str], indent: int = 4) -> str:
    return (",\n" + " " * indent).join(items)


def view_columns(select: dict) -> list[str]:
    """The column names a select node produces, in ViewDefinition order."""
    names = [column["name"] for column in select.get("column", [])]
    for child in select.get("select", []):
        names += view_columns(child)
    if select.get("unionAll"):
        names += view_columns(select["unionAll"][0])
    return names


class ViewCompiler:
    def __init__(self, view: dict):
        validate.check_view(view)
        self.view = view
        self.resource_type = view["resource"]
        self.batch = RootBatch("_res")
        self.exprs = ExpressionCompiler(Converter(self.batch))
        self.constants = {c["name"]: constant_value(c) for c in view.get("constant", [])}
        self.columns = view_columns({"select": view["select"]})
        self._check_column_names()

    def _check_column_names(self) -> None:
        seen = set()
        for name in self.columns:
            if name.lower() in seen:
                raise ViewDefinitionError(f"column name {name!r} is used more than once")
            seen.add(name.lower())

    def compile(
        self,
        source_sql: str,
        resource_column: str,
        resource_type_column: str | None,
        source_columns: tuple[str, ...] = (),
    ) -> str:
        """One SELECT over `source_sql`; `source_columns` of the source row come first, unchanged."""
        for name in source_columns:
            if not validate.COLUMN_NAME.match(name) or name.lower() in {
                c.lower() for c in self.columns
            }:
                raise ViewDefinitionError(
                    f"source column {name!r} is not a plain name or clashes with a view column"
                )
        root = path("_res", self.resource_type)
        scope = Scope(focus=root, resource=root, row_index="0", constants=self.constants)
        shape = self.body({"select": self.view["select"]}, scope)
        conditions = [self.where_condition(w["path"], scope) for w in self.view.get("where", [])]
        # typed reads of the resource only pay when it holds member arrays read by forEach: for
        # scalars alone, json_extract_string of a path list is the faster parse
        pieces = self._pieces(shape) + conditions
        self.batch.plan(pieces, typed=self.batch.reads_items(pieces))
        shape = self.resolved(shape, self.batch)
        conditions = [self.batch.resolve(condition) for condition in conditions]
        if resource_type_column:
            type_filter = f'_src."{resource_type_column}" = {sql_string(self.resource_type)}'
        else:
            type_filter = (
                f"json_extract_string(_src.\"{resource_column}\", '$.resourceType') = "
                f"{sql_string(self.resource_type)}"
            )
        is_query = re.match(r"^\s*(select|with)\b", source_sql, re.IGNORECASE)
        source = f"({source_sql})" if is_query else source_sql
        carried = "".join(f', _src."{name}"' for name in source_columns)
        resources = (
            f'(SELECT _src."{resource_column}" AS _res{carried}\n    FROM {source} AS _src\n'
            f"    WHERE {type_filter}) AS _r"
        )
        extractions = [f"{sql} AS {name}" for name, sql in self.batch.extractions("_res")]
        if extractions:  # once per resource, read below as _rs[i] / _rj[i] / _rl<i> or _rt.<path>
            resources = f"(SELECT *, {', '.join(extractions)}\n    FROM {resources}) AS _r"
        where = f"\nWHERE {' AND '.join(conditions)}" if conditions else ""
        single = [f'"{name}"' for name in source_columns]
        single += [f'{sql} AS "{name}"' for name, sql, _ in shape.fields]
        if shape.multi is None:
            return f"SELECT\n    {_lines(single)}\nFROM {resources}{where}"
        multi_names = {name for name, _ in shape.multi_fields}
        outer = [f'_v."{n}"' for n in source_columns]
        outer += [
            f'_v._row."{n}" AS "{n}"' if n in multi_names else f'_v."{n}"' for n in self.columns
        ]
        inner = _lines(single + [f"unnest({shape.multi}) AS _row"], indent=8)
        return (
            f"SELECT\n    {_lines(outer)}\nFROM (\n    SELECT\n        {inner}\n"
            f"    FROM {resources}{where.replace(chr(10), chr(10) + '    ')}\n) AS _v"
        )

    def where_condition(self, text: str, scope: Scope) -> str:
        value = self.exprs.compile_text(text, scope)
        if value.fhir_type not in (None, "boolean"):
            raise ViewDefinitionError(
                f"where path {text!r} gives {value.fhir_type}, not a boolean: compare it or use exists()"
            )
        return f"coalesce({self.exprs.cv.to_bool(value, f'where path {text!r}')}, FALSE)"

    # -- select nodes -----------------------------------------------------------------------------
    def node(self, select: dict, scope: Scope) -> Shape:
        if "forEach" in select or "forEachOrNull" in select:
            text = select.get("forEach") or select.get("forEachOrNull")
            items_value = self.exprs.compile_text(text, scope)
            items = self.exprs.cv.json_list(items_value)
            or_null = "forEachOrNull" in select
            return self.iterate(select, items, items_value.fhir_type, scope, items_value, or_null)
        if "repeat" in select:
            items, item_type = self.repeat(select["repeat"], scope.focus, scope)
            return self.iterate(select, items, item_type, scope)
        return self.body(select, scope)

    @staticmethod
    def _pieces(shape: Shape) -> list[str]:
        return [sql for _, sql, _ in shape.fields] + ([shape.multi] if shape.multi else [])

    def iterate(
        self,
        select: dict,
        items: str,
        item_type: str | None,
        scope: Scope,
        items_value=None,
        or_null: bool = False,
    ) -> Shape:
        """Map the node's body over `items`; paths read from each item are extracted together.

        When the items are a member array of a document read through a batch (the resource, or
        the item of an enclosing forEach) and the body reads each item only through its batch,
        the items come as typed structs from that document's batch (see RootBatch): no item is
        parsed again."""
        wrapper, position = self.exprs.fresh("b"), self.exprs.fresh("i")
        batch = RootBatch(
            f"{wrapper}.e", f"{wrapper}.s", f"{wrapper}.j", f"{wrapper}.l", typed_base=wrapper
        )
        self.exprs.cv.batches.append(batch)
        body = self.body(select, self._item_scope(f"{wrapper}.e", item_type, position, scope))
        self.exprs.cv.batches.remove(batch)
        parent = next(
            (b for b in self.exprs.cv.batches if items_value and b.accepts_items(items_value)),
            None,
        )
        pieces = self._pieces(body)
        # the item's JSON itself (`<wrapper>.e` outside the batch's placeholders) rules typed reads out
        bare_item = re.compile(re.escape(wrapper) + r"\.e\b")
        typed = parent is not None and not any(bare_item.search(p) for p in pieces)
        typed = batch.plan(pieces, typed)
        body = self.resolved(body, batch)
        if typed:
            items = parent.items(items_value, batch.schema)
        if or_null:  # an empty collection gives one row of NULLs
            one_null = "[NULL]" if typed else "[NULL::JSON]"
            items = f"CASE WHEN coalesce(len({items}), 0) = 0 THEN {one_null} ELSE {items} END"
        if typed:
            item = wrapper
        elif batch.size >= 2 or batch.lists:
            item = self.exprs.fresh("x")
            parts = [f"'e': {item}"] + [
                f"'{n.removeprefix(wrapper + '.')}': {sql}" for n, sql in batch.extractions(item)
            ]
            items = f"list_transform({items}, lambda {item}: {{{', '.join(parts)}}})"
            item = wrapper
        else:  # nothing to share: compile the body again on the bare item
            item = self.exprs.fresh("e")
            body = self.body(select, self._item_scope(item, item_type, position, scope))
        if body.multi is None:
            rows = f"list_transform({items}, lambda {item}, {position}: {self.struct(body.fields)})"
        else:
            rows = (
                f"flatten(list_transform({items}, lambda {item}, {position}: {self.as_list(body)}))"
            )
        return Shape([], rows, [(n, t) for n, _, t in body.fields] + body.multi_fields)

    @staticmethod
    def resolved(shape: Shape, batch: RootBatch) -> Shape:
        """The shape with the batch's path placeholders numbered and replaced (see RootBatch)."""
        fields = [(name, batch.resolve(sql), sql_t) for name, sql, sql_t in shape.fields]
        multi = batch.resolve(shape.multi) if shape.multi is not None else None
        return Shape(fields, multi, shape.multi_fields)

    @staticmethod
    def _item_scope(item_sql: str, item_type: str | None, position: str, scope: Scope) -> Scope:
        return Scope(
            focus=path(item_sql, item_type),
            resource=scope.resource,
            row_index=f"({position} - 1)",
            constants=scope.constants,
        )

    def body(self, select: dict, scope: Scope) -> Shape:
        parts = [Shape([self.column(c, scope) for c in select.get("column", [])])]
        parts += [self.node(child, scope) for child in select.get("select", [])]
        if select.get("unionAll"):
            parts.append(self.union(select["unionAll"], scope))
        return self.product(parts)

    def union(self, branches: list, scope: Scope) -> Shape:
        shapes = [self.node(branch, scope) for branch in branches]
        expected = view_columns(branches[0])
        for index, branch in enumerate(branches[1:], start=2):
            if view_columns(branch) != expected:
                raise ViewDefinitionError(
                    f"unionAll branch #{index} has columns {view_columns(branch)}, branch #1 has "
                    f"{expected}: every branch needs the same column names in the same order"
                )
        types = shapes[0].types()
        for index, shape in enumerate(shapes[1:], start=2):
            if shape.types() != types:
                raise ViewDefinitionError(
                    f"unionAll branch #{index} column types {shape.types()} "
                    f"differ from branch #1 {types}"
                )
        lists = [self.as_list(shape) for shape in shapes]
        return Shape([], f"list_concat({', '.join(lists)})", list(types.items()))

    def product(self, parts: list[Shape]) -> Shape:
        result = Shape()
        for part in parts:
            result.fields += part.fields
            if part.multi is None:
                continue
            if result.multi is None:
                result.multi = part.multi
            else:
                a, b = self.exprs.fresh("a"), self.exprs.fresh("b")
                result.multi = (
                    f"flatten(list_transform({result.multi}, lambda {a}: list_transform("
                    f"{part.multi}, lambda {b}: struct_concat({a}, {b}))))"
                )
            result.multi_fields += part.multi_fields
        return result

    def struct(self, fields: list) -> str:
        if not fields:  # a node without columns still contributes one (empty) row
            return f"{{'{self.exprs.fresh('_norow')}': NULL}}"
        return "{" + ", ".join(f"'{name}': {sql}" for name, sql, _ in fields) + "}"

    def as_list(self, shape: Shape) -> str:
        if shape.multi is None:
            return f"[{self.struct(shape.fields)}]"
        if not shape.fields:
            return shape.multi
        row = self.exprs.fresh("row")
        return f"list_transform({shape.multi}, lambda {row}: struct_concat({self.struct(shape.fields)}, {row}))"

    # -- columns and repeat ---------------------------------------------------------------------------
    def column(self, column: dict, scope: Scope) -> tuple[str, str, str]:
        name, text = column["name"], column["path"]
        value = self.exprs.compile_text(text, scope)
        hinted = column.get("type")
        fhir_type = hinted if schema.is_known_type(hinted) else value.fhir_type
        if value.kind == "native" and not schema.is_known_type(hinted):
            fhir_type = value.fhir_type
        target = sql_type(fhir_type)
        override = next((t["value"] for t in column.get("tag", []) if t["name"] in TYPE_TAGS), None)
        if override and not _SQL_TYPE.match(override):
            raise ViewDefinitionError(
                f"column {name!r}: tag type {override!r} is not an SQL type name"
            )
        cv = self.exprs.cv
        if column.get("collection"):
            items = cv.json_list(value) if target == "JSON" else cv.native_list(value, fhir_type)
            sql = f"coalesce(CAST({items} AS {target}[]), []::{target}[])"
            target = f"{target}[]"
        else:
            what = f"column {name!r} (path {text!r}; set collection: true for several values)"
            one = (
                cv.single_json(value, what)
                if target == "JSON"
                else cv.single(value, what, fhir_type)
            )
            # A single value read from its path or text as `target` has that type: no second cast.
            already_typed = (
                not value.many
                and target != "JSON"
                and (value.kind in ("path", "choice") or bool(value.text))
            )
            sql = one if already_typed else f"CAST({one} AS {target})"
        if override:
            sql, target = f"CAST({sql} AS {override})", override.upper()
        return name, sql, target

    def repeat(
        self, paths: list[str], focus, scope: Scope, depth: int = 0
    ) -> tuple[str, str | None]:
        """The items reachable through `paths` from `focus`, depth first, as a JSON[] SQL expression.

        Level by level (breadth first), each item tagged with its position path [i, j, ...]; the
        levels are concatenated and sorted by that path, which is depth-first pre-order. Each level
        is bound once through a one-item list_transform, so the SQL grows linearly with depth.
        """
        first, item_type = self._children(paths, focus, scope)
        child, position = self.exprs.fresh("c"), self.exprs.fresh("p")
        level = f"list_transform({first}, lambda {child}, {position}: {{'k': [{position}], 'n': {child}}})"
        frontier = self.exprs.fresh("f")
        state = f"list_transform([{level}], lambda {frontier}: {{'all': {frontier}, 'front': {frontier}}})[1]"
        for _ in range(MAX_REPEAT_DEPTH - 1):
            current, new = self.exprs.fresh("s"), self.exprs.fresh("g")
            deeper = self._next_level(paths, f"{current}.front", item_type, scope)
            state = (
                f"list_transform([{state}], lambda {current}: list_transform([{deeper}], lambda {new}: "
                f"{{'all': list_concat({current}.all, {new}), 'front': {new}}})[1])[1]"
            )
        final, tagged = self.exprs.fresh("s"), self.exprs.fresh("t")
        beyond = self._next_level(paths, f"{final}.front", item_type, scope)
        message = f"repeat {paths} nests deeper than {MAX_REPEAT_DEPTH} levels"
        items = (
            f"list_transform([{state}], lambda {final}: CASE WHEN len({beyond}) > 0 THEN "
            f"{runtime_error(message)} ELSE list_transform(list_sort({final}.all), "
            f"lambda {tagged}: {tagged}.n) END)[1]"
        )
        return items, item_type

    def _next_level(self, paths, frontier: str, item_type, scope: Scope) -> str:
        parent, child, position = (
            self.exprs.fresh("q"),
            self.exprs.fresh("c"),
            self.exprs.fresh("p"),
        )
        children, _ = self._children(
            paths, path(f"struct_extract({parent}, 'n')", item_type), scope
        )
        return (
            f"flatten(list_transform({frontier}, lambda {parent}: list_transform({children}, "
            f"lambda {child}, {position}: {{'k': list_append({parent}.k, {position}), 'n': {child}}})))"
        )

    def _children(self, paths, focus, scope: Scope) -> tuple[str, str | None]:
        inner = Scope(focus, scope.resource, scope.row_index, scope.constants)
        children = [self.exprs.compile_text(p, inner) for p in paths]
        item_types = {child.fhir_type for child in children}
        item_type = item_types.pop() if len(item_types) == 1 else None
        lists = [f"coalesce({self.exprs.cv.json_list(c)}, []::JSON[])" for c in children]
        return (lists[0] if len(lists) == 1 else f"list_concat({', '.join(lists)})"), item_type
