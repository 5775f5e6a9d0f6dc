"""FHIRPath functions beyond the SQL-on-FHIR v2 subset, used by the staging contracts.

iif, combine, distinct, substring, toString and string functions mapping onto one DuckDB function.
"""

from __future__ import annotations

from dataclasses import replace

from ingestion.sql_on_fhir.values import Value, empty, native, path


def _arity(node, *allowed: int) -> None:
    from ingestion.sql_on_fhir.functions import _arity as check

    check(node, *allowed)


def _string_input(compiler, node, value: Value) -> str:
    return compiler.cv.single(value, f"input of {node.name}()", "string")


def _string_function(sql_template: str, arity: int, result_type: str):
    """A FHIRPath string function that maps onto one DuckDB function of the input and arguments."""

    def handler(compiler, node, value: Value, scope) -> Value:
        _arity(node, arity)
        args = [
            compiler.cv.single(compiler.compile(a, scope), f"argument of {node.name}()", "string")
            for a in node.args
        ]
        return native(sql_template.format(_string_input(compiler, node, value), *args), result_type)

    return handler


def substring(compiler, node, value: Value, scope) -> Value:
    _arity(node, 1, 2)
    text = _string_input(compiler, node, value)
    start = compiler.cv.single(
        compiler.compile(node.args[0], scope), "substring() start", "integer"
    )
    if len(node.args) == 1:
        return native(f"NULLIF(substring({text}, ({start}) + 1), '')", "string")
    length = compiler.cv.single(
        compiler.compile(node.args[1], scope), "substring() length", "integer"
    )
    return native(f"NULLIF(substring({text}, ({start}) + 1, {length}), '')", "string")


def to_string(compiler, node, value: Value, scope) -> Value:
    _arity(node, 0)
    if value.kind == "native":
        return native(f"CAST({compiler.cv.single(value, 'toString() input')} AS VARCHAR)", "string")
    return native(compiler.cv.single(value, "toString() input", "string"), "string")


def iif(compiler, node, value: Value, scope) -> Value:
    """iif(criterion, true-result [, otherwise-result]), criterion evaluated on the input."""
    _arity(node, 2, 3)
    inner = replace(scope, focus=value)
    criterion = compiler.cv.to_bool(compiler.compile(node.args[0], inner), "iif() criterion")
    results = [compiler.compile(a, scope) for a in node.args[1:]]
    if len(results) == 1:
        results.append(empty(results[0].fhir_type))
    types = {r.fhir_type for r in results}
    fhir_type = types.pop() if len(types) == 1 else None
    if any(r.many for r in results):
        a, b = (compiler.cv.json_list(r) for r in results)
        return Value("json", f"CASE WHEN {criterion} THEN {a} ELSE {b} END", True, fhir_type)
    if any(r.kind == "native" for r in results):
        a, b = (compiler.cv.native_one(r, fhir_type) for r in results)
        return native(f"CASE WHEN {criterion} THEN {a} ELSE {b} END", fhir_type)
    a, b = (compiler.cv.json_one(r) for r in results)
    return path(f"CASE WHEN {criterion} THEN {a} ELSE {b} END", fhir_type)


def combine(compiler, node, value: Value, scope) -> Value:
    _arity(node, 1)
    other = compiler.compile(node.args[0], scope)
    fhir_type = value.fhir_type if value.fhir_type == other.fhir_type else None
    return Value(
        "json",
        f"list_concat(coalesce({compiler.cv.json_list(value)}, []::JSON[]), "
        f"coalesce({compiler.cv.json_list(other)}, []::JSON[]))",
        True,
        fhir_type,
    )


def distinct(compiler, node, value: Value, scope) -> Value:
    _arity(node, 0)
    return Value(
        "json", ordered_distinct(compiler, compiler.cv.json_list(value)), True, value.fhir_type
    )


def ordered_distinct(compiler, items_sql: str) -> str:
    """Duplicates removed, first occurrences kept in order (list_distinct does not keep order)."""
    items, item, position = compiler.fresh("u"), compiler.fresh("x"), compiler.fresh("i")
    return (
        f"list_transform([{items_sql}], lambda {items}: list_filter({items}, "
        f"lambda {item}, {position}: list_position({items}, {item}) = {position}))[1]"
    )


FUNCTIONS = {
    "iif": iif,
    "combine": combine,
    "distinct": distinct,
    "substring": substring,
    "toString": to_string,
    "startsWith": _string_function("starts_with({0}, {1})", 1, "boolean"),
    "endsWith": _string_function("ends_with({0}, {1})", 1, "boolean"),
    "contains": _string_function("contains({0}, {1})", 1, "boolean"),
    "replace": _string_function("replace({0}, {1}, {2})", 2, "string"),
    "lower": _string_function("lower({0})", 0, "string"),
    "upper": _string_function("upper({0})", 0, "string"),
    "length": _string_function("length({0})", 0, "integer"),
}
