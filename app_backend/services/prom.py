"""PROM answers: a QuestionnaireResponse is checked against its instrument in the catalogue
(known linkIds, one answer each, values in range) before it is stored."""

from __future__ import annotations

from pathlib import Path

from app_backend.db import utcnow
from app_backend.fhir.questionnaires import ANSWER_STATUS_SYSTEM
from app_backend.fhir.validation import FhirError
from app_backend.services.catalogue import Instrument, instrument_by_name, instruments

NON_ANSWERS = {"not-applicable", "prefer-not-to-answer"}
# Instruments whose items may be answered "not applicable" / "prefer not to answer".
ALLOWS_NON_ANSWERS = {"pro-ctcae"}
QUICK_ENTRY = {"pro-ctcae", "esas-r"}


def instrument_for(catalogue_dir: Path, response: dict) -> Instrument:
    url = (response.get("questionnaire") or "").split("|", 1)[0]
    instrument = instruments(catalogue_dir).get(url)
    if instrument is None:
        known = ", ".join(sorted(i.name for i in instruments(catalogue_dir).values()))
        raise FhirError(422, f"unknown questionnaire {url[:200]!r}: use one of the instruments ({known})",
                        "invalid")
    return instrument


def check_response(catalogue_dir: Path, response: dict) -> Instrument:
    instrument = instrument_for(catalogue_dir, response)
    seen: set[str] = set()
    for entry in response.get("item", []):
        link_id = entry.get("linkId")
        item = instrument.item(link_id)
        if item is None:
            raise FhirError(422, f"{instrument.name} has no item {str(link_id)[:60]!r}", "invalid")
        if link_id in seen:
            raise FhirError(422, f"item {link_id} is answered twice", "invalid")
        seen.add(link_id)
        answers = entry.get("answer", [])
        if len(answers) != 1:
            raise FhirError(422, f"item {link_id} needs exactly one answer", "invalid")
        answer = answers[0]
        if "valueInteger" in answer:
            value = answer["valueInteger"]
            if not item.min_value <= value <= item.max_value:
                raise FhirError(422, f"item {link_id} must be between {item.min_value} and "
                                f"{item.max_value}, got {value}", "invalid")
        elif "valueCoding" in answer and instrument.name in ALLOWS_NON_ANSWERS:
            coding = answer["valueCoding"]
            if coding.get("system") != ANSWER_STATUS_SYSTEM or coding.get("code") not in NON_ANSWERS:
                raise FhirError(422, f"item {link_id}: a coded answer must be not-applicable or "
                                "prefer-not-to-answer", "invalid")
        else:
            raise FhirError(422, f"item {link_id} must be answered with valueInteger", "invalid")
    return instrument


def quick_entry(catalogue_dir: Path, *, instrument_name: str, patient_id: str,
                answers: dict[str, int | str], authored: str | None) -> dict:
    """A QuestionnaireResponse from the app's quick symptom entry (PRO-CTCAE or ESAS-r)."""
    instrument = instrument_by_name(catalogue_dir, instrument_name)
    if instrument is None or instrument_name not in QUICK_ENTRY:
        raise FhirError(422, "quick entry is for pro-ctcae or esas-r", "invalid")
    items = []
    for link_id, value in answers.items():
        if isinstance(value, str):
            answer = {"valueCoding": {"system": ANSWER_STATUS_SYSTEM, "code": value}}
        else:
            answer = {"valueInteger": value}
        items.append({"linkId": link_id, "answer": [answer]})
    order = {i.link_id: i.item_number for i in instrument.items}
    items.sort(key=lambda e: order.get(e["linkId"], 10**6))
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": instrument.url,
        "subject": {"reference": f"Patient/{patient_id}"},
        "authored": authored or utcnow().isoformat(),
        "item": items,
    }
