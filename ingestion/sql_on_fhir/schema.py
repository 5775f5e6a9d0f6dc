"""FHIR R4B element types, for turning FHIRPath navigation into static JSONPath.

Knowing that Patient.name repeats and HumanName.family does not lets `name.family` compile to
`json_extract(resource, '$.name[*].family')`. Unknown types or elements are not errors: the
compiler then navigates dynamically (testing at run time whether a value is a JSON array).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SCHEMA_FILE = Path(__file__).with_name("fhir_r4b_schema.json")

BOOLEAN_TYPES = frozenset({"boolean"})
INTEGER_TYPES = frozenset({"integer", "positiveInt", "unsignedInt", "integer64"})
DECIMAL_TYPES = frozenset({"decimal"})
NUMBER_TYPES = INTEGER_TYPES | DECIMAL_TYPES
TEMPORAL_TYPES = frozenset({"date", "dateTime", "instant", "time"})
STRING_TYPES = frozenset(
    {
        "string",
        "code",
        "id",
        "uri",
        "url",
        "canonical",
        "oid",
        "uuid",
        "markdown",
        "base64Binary",
        "xhtml",
    }
)
PRIMITIVE_TYPES = BOOLEAN_TYPES | NUMBER_TYPES | TEMPORAL_TYPES | STRING_TYPES

# FHIRPath System types (used in `ofType(System.String)` and by literals) to the FHIR types above.
_SYSTEM_TYPES = {
    "String": "string",
    "Boolean": "boolean",
    "Integer": "integer",
    "Decimal": "decimal",
    "Date": "date",
    "DateTime": "dateTime",
    "Time": "time",
}


@dataclass(frozen=True)
class Element:
    fhir_type: str | None  # None for a choice element
    repeats: bool
    choices: dict | None = None  # choice element (value[x]): {"Quantity": "Quantity", ...}


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text())


def element(owner_type: str | None, name: str) -> Element | None:
    """The element `name` of FHIR type `owner_type`, or None when either is unknown."""
    if owner_type is None:
        return None
    spec = _schema()["types"].get(owner_type, {}).get(name)
    if spec is None:
        return None
    if isinstance(spec, dict):
        return Element(None, False, spec)
    return Element(spec.rstrip("*"), spec.endswith("*"))


def is_known_type(fhir_type: str | None) -> bool:
    return fhir_type in PRIMITIVE_TYPES or fhir_type in _schema()["types"]


def is_resource_type(name: str) -> bool:
    return name in _resource_types()


@lru_cache(maxsize=1)
def _resource_types() -> frozenset:
    return frozenset(_schema()["resources"])


def normalise_type_name(name: str) -> str:
    """`FHIR.Quantity` -> `Quantity`, `System.String` -> `string`, `string` -> `string`."""
    namespace, _, local = name.rpartition(".")
    if namespace == "System":
        return _SYSTEM_TYPES.get(local, local)
    return local


def choice_suffix(fhir_type: str) -> str:
    """The JSON name suffix of a choice type: value[x] of type dateTime is `valueDateTime`."""
    return fhir_type[:1].upper() + fhir_type[1:]
