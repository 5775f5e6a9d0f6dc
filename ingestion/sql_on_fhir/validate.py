"""Structural checks of a ViewDefinition, before any FHIRPath is compiled.

Each failure is a ViewDefinitionError whose message names the offending part of the view.
"""

from __future__ import annotations

import re

from ingestion.sql_on_fhir.errors import ViewDefinitionError

COLUMN_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_SELECT_KEYS = {"column", "select", "unionAll", "forEach", "forEachOrNull", "repeat"}


def _fail(message: str):
    raise ViewDefinitionError(message)


def _list_of_objects(value, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        _fail(f"{where} must be a list of objects")
    return value


def _non_empty_string(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(f"{where} must be a non-empty string, not {value!r}")
    return value


def check_view(view) -> None:
    if not isinstance(view, dict):
        _fail("a ViewDefinition must be a JSON object")
    if view.get("resourceType", "ViewDefinition") != "ViewDefinition":
        _fail(f"resourceType must be ViewDefinition, not {view.get('resourceType')!r}")
    if "resource" not in view:
        _fail(
            "the ViewDefinition has no 'resource' (the FHIR resource type it reads, e.g. Patient)"
        )
    _non_empty_string(view["resource"], "'resource'")
    for index, constant in enumerate(_list_of_objects(view.get("constant"), "'constant'")):
        name = constant.get("name")
        if not isinstance(name, str) or not COLUMN_NAME.match(name):
            _fail(f"constant #{index + 1} needs a 'name' made of letters, digits and '_'")
    for index, where in enumerate(_list_of_objects(view.get("where"), "'where'")):
        _non_empty_string(where.get("path"), f"where #{index + 1} 'path'")
    selects = _list_of_objects(view.get("select"), "'select'")
    if not selects:
        _fail("the ViewDefinition needs a non-empty 'select' list")
    for index, select in enumerate(selects):
        _check_select(select, f"select #{index + 1}")


def _check_select(select: dict, where: str) -> None:
    iterations = [key for key in ("forEach", "forEachOrNull", "repeat") if key in select]
    if len(iterations) > 1:
        _fail(f"{where} may use only one of forEach, forEachOrNull and repeat")
    for key in ("forEach", "forEachOrNull"):
        if key in select:
            _non_empty_string(select[key], f"{where} '{key}'")
    if "repeat" in select:
        paths = select["repeat"]
        if not isinstance(paths, list) or not paths:
            _fail(f"{where} 'repeat' must be a non-empty list of FHIRPath expressions")
        for path in paths:
            _non_empty_string(path, f"{where} 'repeat' entry")
    for index, column in enumerate(_list_of_objects(select.get("column"), f"{where} 'column'")):
        _check_column(column, f"{where} column #{index + 1}")
    for index, child in enumerate(_list_of_objects(select.get("select"), f"{where} 'select'")):
        _check_select(child, f"{where}.select #{index + 1}")
    branches = _list_of_objects(select.get("unionAll"), f"{where} 'unionAll'")
    if "unionAll" in select and not branches:
        _fail(f"{where} 'unionAll' must not be empty")
    for index, branch in enumerate(branches):
        _check_select(branch, f"{where}.unionAll #{index + 1}")


def _check_column(column: dict, where: str) -> None:
    name = column.get("name")
    if not isinstance(name, str) or not COLUMN_NAME.match(name):
        _fail(
            f"{where} needs a 'name' that starts with a letter and has only letters, digits and '_'"
            f" (got {name!r})"
        )
    _non_empty_string(column.get("path"), f"{where} ({name}) 'path'")
    if "collection" in column and not isinstance(column["collection"], bool):
        _fail(f"{where} ({name}) 'collection' must be true or false")
    if "type" in column:
        _non_empty_string(column["type"], f"{where} ({name}) 'type'")
    for tag in _list_of_objects(column.get("tag"), f"{where} ({name}) 'tag'"):
        _non_empty_string(tag.get("name"), f"{where} ({name}) tag 'name'")
        _non_empty_string(tag.get("value"), f"{where} ({name}) tag 'value'")
