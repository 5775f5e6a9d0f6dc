"""Scale scores for the library's current state (CLINICAL_SPEC.md section 1)."""

from __future__ import annotations

import pytest

from app_backend.config import Settings
from app_backend.services.library.needs import current_needs
from app_backend.services.library.state import score_response

CATALOGUE = Settings().catalogue_dir
BASE = "http://survivorship-platform.org/fhir/Questionnaire/"


def response(instrument: str, answers: dict[str, int]) -> dict:
    return {"resourceType": "QuestionnaireResponse", "status": "completed", "questionnaire": BASE + instrument,
            "item": [{"linkId": k, "answer": [{"valueInteger": v}]} for k, v in answers.items()]}


def scores(instrument: str, answers: dict[str, int]) -> dict[str, float]:
    return {s.scale: s.score for s in score_response(CATALOGUE, response(instrument, answers))}


def test_qlq_c30_scales_follow_the_eortc_transform_and_half_rule():
    answers = {f"q{i}": 1 for i in range(1, 29)} | {"q29": 7, "q30": 7}
    answers |= {"q10": 3, "q12": 3, "q18": 3}  # fatigue
    del answers["q21"], answers["q22"], answers["q23"]  # EF: 1 of 4 answered -> missing
    del answers["q20"]  # CF: 1 of 2 answered -> scored from the one answered
    result = scores("eortc-qlq-c30", answers)
    assert result["FA"] == pytest.approx(66.667, abs=0.01)
    assert result["PF"] == pytest.approx(100.0)  # functional: all "not at all" is full function
    assert result["QL"] == pytest.approx(100.0)
    assert result["CF"] == pytest.approx(100.0)
    assert "EF" not in result
    assert [n.topic for n in current_needs(score_response(CATALOGUE, response("eortc-qlq-c30", answers)))] == ["fatigue"]


def test_totals_need_every_item_and_single_items_stand_alone():
    assert scores("phq-9", {f"phq9-{i}": 2 for i in range(1, 10)}) == {"total": 18.0}
    assert scores("phq-9", {f"phq9-{i}": 2 for i in range(1, 9)}) == {}
    esas = scores("esas-r", {"esas-tiredness": 8, "esas-pain": 2})
    assert esas == {"tiredness": 8.0, "pain": 2.0}
    assert scores("unknown-instrument", {"x": 1}) == {}
