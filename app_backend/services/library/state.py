"""A reader's current state: scale scores from their latest PROM answers in the FHIR store.

Scoring follows CLINICAL_SPEC.md section 1 for what the library needs: QLQ-C30 scales (mean of
answered items when at least half are answered, linear transform to 0-100), PHQ-9 and GAD-7
totals (all items required), the Distress Thermometer and each ESAS-r item. PRO-CTCAE composite
grades are the warehouse's job and are not recomputed here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app_backend.models import FhirResource
from app_backend.services.catalogue import instruments
from app_backend.services.library.needs import ScaleScore

RECENT_DAYS = 90  # older answers say little about how someone is now
QLQ_FUNCTIONAL = {"PF", "RF", "EF", "CF", "SF"}
TOTALS = {"phq-9", "gad-7"}
SINGLE_ITEM_SCALES = {"distress-thermometer", "esas-r"}


def _answers(response: dict) -> dict[str, int]:
    values = {}
    for item in response.get("item", []):
        for answer in item.get("answer", [])[:1]:
            if isinstance(answer.get("valueInteger"), int):
                values[item.get("linkId")] = answer["valueInteger"]
    return values


def score_response(catalogue_dir: Path, response: dict) -> list[ScaleScore]:
    url = (response.get("questionnaire") or "").split("|", 1)[0]
    instrument = instruments(catalogue_dir).get(url)
    if instrument is None:
        return []
    answers = _answers(response)
    by_scale = defaultdict(list)
    for item in instrument.items:
        by_scale[item.scale].append(item)
    scores = []
    for scale, items in by_scale.items():
        answered = [(answers[i.link_id], i) for i in items if i.link_id in answers]
        if instrument.name == "qlq-c30":
            if len(answered) * 2 < len(items):
                continue
            raw = sum(v for v, _ in answered) / len(answered)
            span = items[0].max_value - items[0].min_value
            score = (raw - 1) / span * 100
            scores.append(ScaleScore("qlq-c30", scale, 100 - score if scale in QLQ_FUNCTIONAL else score))
        elif instrument.name in TOTALS and len(answered) == len(items):
            scores.append(ScaleScore(instrument.name, scale, float(sum(v for v, _ in answered))))
        elif instrument.name in SINGLE_ITEM_SCALES and answered:
            scores.append(ScaleScore(instrument.name, scale, float(answered[0][0])))
    return scores


def latest_scale_scores(session: Session, patient_id: str, catalogue_dir: Path, today: date) -> list[ScaleScore]:
    """Each instrument's most recent response within the last RECENT_DAYS, scored."""
    since = datetime.combine(today - timedelta(days=RECENT_DAYS), time.min).astimezone()
    rows = session.scalars(
        select(FhirResource)
        .where(FhirResource.resource_type == "QuestionnaireResponse",
               FhirResource.patient_id == patient_id, FhirResource.last_updated >= since)
        .order_by(FhirResource.effective.desc(), FhirResource.last_updated.desc())
        .limit(200)
    )
    latest: dict[str, dict] = {}
    for row in rows:
        url = (row.resource.get("questionnaire") or "").split("|", 1)[0]
        latest.setdefault(url, row.resource)
    return [score for response in latest.values() for score in score_response(catalogue_dir, response)]
