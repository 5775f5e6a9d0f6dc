"""FHIR Questionnaires generated from the instrument catalogue. QLQ-C30 items carry their
identifiers only: EORTC item wording is copyrighted and never shipped."""

from __future__ import annotations

from app_backend.services.catalogue import Instrument

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ANSWER_STATUS_SYSTEM = "http://survivorship-platform.org/fhir/CodeSystem/answer-status"
NO_WORDING = {"qlq-c30"}
TITLES = {
    "qlq-c30": "EORTC QLQ-C30 v3.0 (item identifiers and scoring only)",
    "phq-9": "PHQ-9", "gad-7": "GAD-7", "esas-r": "ESAS-r",
    "distress-thermometer": "NCCN Distress Thermometer", "pro-ctcae": "PRO-CTCAE (selected items)",
}


def _label(instrument: Instrument, item) -> str | None:
    if instrument.name in NO_WORDING:
        return None
    if item.attribute:
        return f"{item.scale.replace('-', ' ')}: {item.attribute}"
    return f"{TITLES.get(instrument.name, instrument.name)} item {item.item_number} ({item.scale})"


def questionnaire(instrument: Instrument) -> dict:
    items = []
    for item in instrument.items:
        entry = {
            "linkId": item.link_id,
            "prefix": str(item.item_number),
            "type": "integer",
            "required": False,
            "extension": [
                {"url": MIN_VALUE, "valueInteger": item.min_value},
                {"url": MAX_VALUE, "valueInteger": item.max_value},
            ],
        }
        label = _label(instrument, item)
        if label:
            entry["text"] = label
        items.append(entry)
    return {
        "resourceType": "Questionnaire",
        "id": instrument.questionnaire_id,
        "url": instrument.url,
        "name": instrument.name.replace("-", "_").upper(),
        "title": TITLES.get(instrument.name, instrument.name),
        "status": "active",
        "subjectType": ["Patient"],
        "item": items,
    }
