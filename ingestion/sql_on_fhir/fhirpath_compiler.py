"""FHIRPath (the SQL-on-FHIR v2 subset) compiled to DuckDB SQL expressions over JSON.

Navigation uses the R4B element table (schema.py) to fold member steps into one JSONPath;
functions live in functions.py, operators here. Everything is set-based SQL: list functions and
lambdas over JSON arrays, never Python per resource.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingestion.sql_on_fhir import fhirpath_parser as ast
from ingestion.sql_on_fhir import schema
from ingestion.sql_on_fhir.errors import ViewDefinitionError
from ingestion.sql_on_fhir.values import (
    Converter,
    Value,
    empty,
    json_member,
    native,
    path,
    sql_string,
    sql_type,
)


@dataclass(frozen=True)
class Scope:
    focus: Value  # $this
    resource: Value  # %resource, %rootResource
    row_index: str  # SQL for %rowIndex
    constants: dict = field(default_factory=dict)  # name -> Value
    index_var: str | None = None  # SQL for $index inside where()/exists() criteria


_COMPARISONS = {"=", "!=", "~", "!~", "<", ">", "<=", ">="}
_ARITHMETIC = {"+", "-", "*", "/", "div", "mod", "&"}


class ExpressionCompiler:
    def __init__(self, converter: Converter | None = None):
        self.cv = converter or Converter()

    def compile_text(self, text: str, scope: Scope) -> Value:
        return self.compile(ast.parse(text), scope)

    def compile(self, node, scope: Scope) -> Value:
        from ingestion.sql_on_fhir import functions  # functions imports this module

        if isinstance(node, ast.Literal):
            return _literal(node)
        if isinstance(node, ast.This):
            if node.name == "$this":
                return scope.focus
            if node.name == "$index" and scope.index_var:
                return native(scope.index_var, "integer")
            raise ViewDefinitionError(f"{node.name} is not available here")
        if isinstance(node, ast.Variable):
            return self.variable(node.name, scope)
        if isinstance(node, ast.Member):
            if node.target is None and _names_focus_type(node.name, scope.focus):
                return scope.focus
            base = self.compile(node.target, scope) if node.target is not None else scope.focus
            return self.member(base, node.name)
        if isinstance(node, ast.Index):
            return self.index(self.compile(node.target, scope), node.index, scope)
        if isinstance(node, ast.Call):
            return functions.call(self, node, scope)
        if isinstance(node, ast.Unary):
            operand = self.compile(node.operand, scope)
            if node.op == "+":
                return operand
            return native(f"(-{self.cv.single(operand, 'unary minus')})", operand.fhir_type)
        if isinstance(node, ast.Binary):
            return self.binary(node, scope)
        if isinstance(node, ast.TypeOp):
            return functions.type_operator(self, node, scope)
        raise ViewDefinitionError(f"unsupported FHIRPath construct {type(node).__name__}")

    def variable(self, name: str, scope: Scope) -> Value:
        if name == "rowIndex":
            return native(scope.row_index, "integer")
        if name in ("resource", "rootResource", "context"):
            return scope.resource
        if name in scope.constants:
            return scope.constants[name]
        raise ViewDefinitionError(
            f"undefined constant %{name}: declare it in the view's constant list"
        )

    # -- navigation -----------------------------------------------------------------------------
    def member(self, value: Value, name: str) -> Value:
        if value.kind == "choice":
            value = Value(
                "json",
                self.cv.json_list(value) if value.many else self.cv.json_one(value),
                value.many,
                None,
            )
        if value.kind == "native" and value.fhir_type not in (None, "string"):
            raise ViewDefinitionError(f"cannot read element {name!r} of a computed value")
        element = schema.element(value.fhir_type, name)
        if element is None:
            return self.dynamic_member(value, name)
        if value.kind == "json" and value.many and not element.choices:
            return self.member_of_each(value, name, element)
        base = self.cv.as_path(value)
        if element.choices:
            choices = tuple(sorted(element.choices.items()))
            return Value("choice", base.sql, base.many, None, base.segs, name, choices)
        segs = base.segs + json_member(name) + ("[*]" if element.repeats else "")
        return path(base.sql, element.fhir_type, segs, base.many or element.repeats)

    def member_of_each(self, value: Value, name: str, element) -> Value:
        """Navigate from every item of a computed JSON list (e.g. the result of where())."""
        item = self.fresh("m")
        step = f"json_extract({item}, {sql_string('$' + json_member(name) + ('[*]' if element.repeats else ''))})"
        mapped = f"list_transform({value.sql}, lambda {item}: {step})"
        if element.repeats:
            return Value("json", f"flatten({mapped})", True, element.fhir_type)
        return Value(
            "json",
            f"list_filter({mapped}, lambda {item}: {item} IS NOT NULL)",
            True,
            element.fhir_type,
        )

    def dynamic_member(self, value: Value, name: str) -> Value:
        """Navigation without schema knowledge: an array contributes its items, else the value."""

        def step(item: str) -> str:
            key = sql_string("$" + json_member(name))
            key_items = sql_string("$" + json_member(name) + "[*]")
            return (
                f"CASE WHEN json_type({item}, {key}) = 'ARRAY' THEN json_extract({item}, {key_items}) "
                f"WHEN json_type({item}, {key}) <> 'NULL' THEN [json_extract({item}, {key})] "
                f"ELSE []::JSON[] END"
            )

        if not value.many:
            return Value("json", step(self.cv.json_one(value)), True, None)
        item = self.fresh("d")
        return Value(
            "json",
            f"flatten(list_transform({self.cv.json_list(value)}, lambda {item}: {step(item)}))",
            True,
            None,
        )

    def fresh(self, stem: str) -> str:
        return self.cv.fresh(stem)

    def index(self, value: Value, index_node, scope: Scope) -> Value:
        position = self.compile(index_node, scope)
        if position.kind == "native" and position.sql.lstrip("-").isdigit():
            return self.item_at(value, int(position.sql))
        offset = self.cv.single(position, "indexer", "integer")
        return Value(
            "json", f"({self.cv.json_list(value)})[({offset}) + 1]", False, value.fhir_type
        )

    def item_at(self, value: Value, position: int) -> Value:
        if not value.many:
            return value if position == 0 else empty(value.fhir_type)
        if position == 0 and value.first_sql:
            return Value("json", value.first_sql, False, value.fhir_type, text=value.first_text)
        if (
            value.kind == "path"
            and value.segs.count("[*]") == 1
            and value.segs.endswith("[*]")
            and position >= 0
        ):
            return path(value.sql, value.fhir_type, f"{value.segs[:-3]}[{position}]")
        if value.kind == "native":
            return native(f"({value.sql})[{position + 1}]", value.fhir_type)
        return Value(
            "json", f"({self.cv.json_list(value)})[{position + 1}]", False, value.fhir_type
        )

    # -- operators ------------------------------------------------------------------------------
    def binary(self, node: ast.Binary, scope: Scope) -> Value:
        from ingestion.sql_on_fhir import functions_extended

        left, right = self.compile(node.left, scope), self.compile(node.right, scope)
        op = node.op
        if op in ("and", "or", "xor", "implies"):
            a = self.cv.to_bool(left, f"left operand of {op!r}")
            b = self.cv.to_bool(right, f"right operand of {op!r}")
            sql = {
                "and": f"(({a}) AND ({b}))",
                "or": f"(({a}) OR ({b}))",
                "xor": f"(({a}) <> ({b}))",
                "implies": f"((NOT ({a})) OR ({b}))",
            }[op]
            return native(sql, "boolean")
        if op in _COMPARISONS:
            return self.comparison(op, left, right)
        if op in _ARITHMETIC:
            return self.arithmetic(op, left, right)
        if op == "|":
            fhir_type = left.fhir_type if left.fhir_type == right.fhir_type else None
            if not left.many and not right.many:  # the common `(a | b).first()`: a coalesce
                a, b = self.cv.json_one(left), self.cv.json_one(right)
                union = (
                    f"CASE WHEN ({a}) IS NULL THEN {self.cv.wrap(b, 'JSON')} "
                    f"WHEN ({b}) IS NULL OR ({a}) = ({b}) THEN [{a}] ELSE [{a}, {b}] END"
                )
                texts = (self.cv.text_one(left), self.cv.text_one(right))
                first_text = f"coalesce({', '.join(texts)})" if None not in texts else ""
                return Value(
                    "json",
                    union,
                    True,
                    fhir_type,
                    first_sql=f"coalesce({a}, {b})",
                    first_text=first_text,
                )
            both = (
                f"list_concat(coalesce({self.cv.json_list(left)}, []::JSON[]), "
                f"coalesce({self.cv.json_list(right)}, []::JSON[]))"
            )
            return Value(
                "json",
                functions_extended.ordered_distinct(self, both),
                True,
                left.fhir_type if left.fhir_type == right.fhir_type else None,
            )
        if op in ("in", "contains"):
            item, collection = (left, right) if op == "in" else (right, left)
            want = _comparison_type(item, collection)
            return native(
                f"list_contains({self.cv.native_list(collection, want)}, "
                f"{self.cv.single(item, repr(op) + ' operand', want)})",
                "boolean",
            )
        raise ViewDefinitionError(f"unsupported FHIRPath operator {op!r}")

    def comparison(self, op: str, left: Value, right: Value) -> Value:
        want = _comparison_type(left, right)
        if op in ("=", "!=") and (left.many or right.many):
            a, b = self.cv.native_list(left, want), self.cv.native_list(right, want)
            equal = (
                f"CASE WHEN coalesce(len({a}), 0) = 0 OR coalesce(len({b}), 0) = 0 THEN NULL "
                f"ELSE {a} = {b} END"
            )
            return native(equal if op == "=" else f"(NOT {equal})", "boolean")
        a = self.cv.single(left, f"left operand of {op!r}", want)
        b = self.cv.single(right, f"right operand of {op!r}", want)
        if op in ("~", "!~"):
            if sql_type(want) == "VARCHAR":
                a, b = f"lower({a})", f"lower({b})"
            same = f"coalesce(({a}) = ({b}), ({a}) IS NULL AND ({b}) IS NULL)"
            return native(same if op == "~" else f"(NOT {same})", "boolean")
        sql_op = "<>" if op == "!=" else op
        return native(f"(({a}) {sql_op} ({b}))", "boolean")

    def arithmetic(self, op: str, left: Value, right: Value) -> Value:
        want = _comparison_type(left, right)
        a = self.cv.single(left, f"left operand of {op!r}", want)
        b = self.cv.single(right, f"right operand of {op!r}", want)
        if op == "&":
            return native(
                f"(coalesce(CAST({a} AS VARCHAR), '') || coalesce(CAST({b} AS VARCHAR), ''))",
                "string",
            )
        if sql_type(want) == "VARCHAR":
            if op != "+":
                raise ViewDefinitionError(f"operator {op!r} needs numbers")
            return native(f"(({a}) || ({b}))", "string")
        integers = (
            left.fhir_type in schema.INTEGER_TYPES and right.fhir_type in schema.INTEGER_TYPES
        )
        if op == "/":
            return native(f"(CAST({a} AS DOUBLE) / NULLIF({b}, 0))", "decimal")
        if op == "div":
            return native(f"CAST(trunc(({a}) / NULLIF({b}, 0)) AS BIGINT)", "integer")
        if op == "mod":
            return native(f"(({a}) % NULLIF({b}, 0))", "integer" if integers else "decimal")
        return native(f"(({a}) {op} ({b}))", "integer" if integers else "decimal")


def _names_focus_type(name: str, focus: Value) -> bool:
    """`Patient.name` may start with the resource type: at the root it names the focus itself."""
    return name[:1].isupper() and focus.fhir_type == name and schema.is_resource_type(name)


def _comparison_type(left: Value, right: Value) -> str | None:
    """The FHIR type both operands are read as: a known primitive type of either side."""
    types = [v.fhir_type for v in (left, right) if v.fhir_type in schema.PRIMITIVE_TYPES]
    if not types:
        return None
    if any(t in schema.DECIMAL_TYPES for t in types) and all(
        t in schema.NUMBER_TYPES for t in types
    ):
        return "decimal"
    if any(t in schema.NUMBER_TYPES for t in types) and any(
        v.fhir_type is None for v in (left, right)
    ):
        return "decimal"  # an untyped JSON number may have a fraction
    return types[0]


def _literal(node: ast.Literal) -> Value:
    if node.fhir_type == "empty":
        return empty(None)
    if node.fhir_type == "boolean":
        return native("TRUE" if node.value else "FALSE", "boolean")
    if node.fhir_type == "integer":
        return native(str(int(node.value)), "integer")
    if node.fhir_type == "decimal":
        return native(f"CAST({node.value} AS DOUBLE)", "decimal")
    return native(sql_string(str(node.value)), node.fhir_type)


def constant_value(constant: dict) -> Value:
    """A ViewDefinition constant ({"name": ..., "valueX": ...}) as a typed SQL literal."""
    values = [(key, val) for key, val in constant.items() if key.startswith("value")]
    name = constant.get("name")
    if len(values) != 1:
        raise ViewDefinitionError(f"constant {name!r} must have exactly one value[x] element")
    key, val = values[0]
    fhir_type = key[len("value") :]
    fhir_type = fhir_type[:1].lower() + fhir_type[1:]
    if fhir_type not in schema.PRIMITIVE_TYPES:
        raise ViewDefinitionError(f"constant {name!r}: {key} is not a primitive FHIR type")
    if fhir_type == "boolean":
        if not isinstance(val, bool):
            raise ViewDefinitionError(f"constant {name!r}: valueBoolean must be true or false")
        return native("TRUE" if val else "FALSE", "boolean")
    if fhir_type in schema.NUMBER_TYPES:
        if isinstance(val, bool) or not isinstance(val, (int, float)):
            raise ViewDefinitionError(f"constant {name!r}: {key} must be a number")
        sql = str(int(val)) if fhir_type in schema.INTEGER_TYPES else f"CAST({val!r} AS DOUBLE)"
        return native(sql, fhir_type)
    if not isinstance(val, str):
        raise ViewDefinitionError(f"constant {name!r}: {key} must be a string")
    return native(sql_string(val), fhir_type)


__all__ = ["ExpressionCompiler", "Scope", "constant_value"]
