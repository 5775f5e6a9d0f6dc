"""Regenerate `fhir_r4b_schema.json`, the element table the FHIRPath compiler navigates by.

Run `python -m ingestion.sql_on_fhir.schema_build` after upgrading fhir.resources. The compiler
needs, per FHIR type, each element's type and whether it repeats (a FHIR JSON array), so that a
path such as `name.family` becomes the single JSONPath `$.name[*].family` instead of a runtime
"is this an array?" test. The table is read from fhir.resources' R4B pydantic models once, here,
so that compiling a view never pays for importing ~190 model modules.

File format: {"types": {TypeName: {element: "Type" | "Type*" (repeats) |
{"ChoiceSuffix": "Type", ...} (a choice element, e.g. value[x])}}, "resources": [...]}.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import typing
from pathlib import Path

SCHEMA_FILE = Path(__file__).with_name("fhir_r4b_schema.json")

# fhir.resources annotates primitives as Annotated[python_type, <FhirPrimitive>()], or plain bool.
_PRIMITIVE_BY_MARKER = {
    "Base64Binary": "base64Binary",
    "Boolean": "boolean",
    "Canonical": "canonical",
    "Code": "code",
    "Date": "date",
    "DateTime": "dateTime",
    "Decimal": "decimal",
    "Id": "id",
    "Instant": "instant",
    "Integer": "integer",
    "Integer64": "integer64",
    "Markdown": "markdown",
    "Oid": "oid",
    "PositiveInt": "positiveInt",
    "String": "string",
    "Time": "time",
    "UnsignedInt": "unsignedInt",
    "Uri": "uri",
    "Url": "url",
    "Uuid": "uuid",
    "Xhtml": "xhtml",
}


def _element_type(annotation) -> tuple[str | None, bool]:
    """(FHIR type name, repeats) of one pydantic field annotation."""
    repeats = False
    todo = [annotation]
    while todo:
        item = todo.pop()
        origin = typing.get_origin(item)
        if origin is list:
            repeats = True
        if origin is typing.Annotated:
            marker = item.__metadata__[0]
            name = _PRIMITIVE_BY_MARKER.get(type(marker).__name__)
            if name:
                return name, repeats
        if item is bool:
            return "boolean", repeats
        if inspect.isclass(item) and item.__name__.endswith("Type") and item.__module__ == "abc":
            return item.__name__[: -len("Type")], repeats
        todo.extend(typing.get_args(item))
    return None, repeats


def _model_classes():
    package = importlib.import_module("fhir.resources.R4B")
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"fhir.resources.R4B.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and hasattr(cls, "model_fields"):
                yield cls


def build() -> dict:
    from fhir.resources.R4B.resource import Resource

    types: dict[str, dict] = {}
    resources = []
    for cls in _model_classes():
        elements: dict[str, object] = {}
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra or {}
            if not isinstance(extra, dict) or not extra.get("element_property"):
                continue
            json_name = field.alias or name
            fhir_type, repeats = _element_type(field.annotation)
            if fhir_type is None:
                continue
            choice = extra.get("one_of_many")
            if choice:
                suffix = json_name[len(choice) :]
                elements.setdefault(choice, {})[suffix] = fhir_type
            else:
                elements[json_name] = fhir_type + ("*" if repeats else "")
        types[cls.__name__] = elements
        if issubclass(cls, Resource) and cls.__name__ not in ("Resource", "DomainResource"):
            resources.append(cls.__name__)
    return {
        "fhirVersion": "4.3.0 (R4B, from fhir.resources)",
        "types": dict(sorted(types.items())),
        "resources": sorted(resources),
    }


def main() -> int:
    SCHEMA_FILE.write_text(json.dumps(build(), separators=(",", ":"), sort_keys=False) + "\n")
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
