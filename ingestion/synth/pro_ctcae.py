"""PRO-CTCAE: which symptom items fit a patient, and their weekly answers.

Answers follow the skip logic of the instrument (a first attribute of 0 ends the symptom), use the
shared answer-status codes for "not applicable" and "prefer not to answer", and keep every normal
composite grade at or below 1, so that PRO-SEVERE and PRO-WORSE (a rise of 2 grades) fire only on
injected flares.
"""

from __future__ import annotations

import random

from ingestion.synth.catalogue import Item, threshold
from ingestion.synth.cohort import Patient

NOT_APPLICABLE = "not-applicable"
PREFER_NOT = "prefer-not-to-answer"
BASE_SYMPTOMS = ("fatigue", "pain", "insomnia", "anxiety", "sad")


def pro_ctcae_symptoms(patient: Patient) -> tuple[str, ...]:
    """PRO-CTCAE symptoms that fit the patient's cancer and the treatments they have had."""
    kinds = {t.kind for t in patient.treatments}
    drugs = {t.display for t in patient.treatments}
    symptoms = list(BASE_SYMPTOMS)
    if "chemotherapy" in kinds:
        symptoms += [
            "nausea",
            "vomiting",
            "diarrhea",
            "constipation",
            "decreased-appetite",
            "mouth-sores",
        ]
        if drugs & {
            "paclitaxel",
            "docetaxel",
            "oxaliplatin",
            "cisplatin",
            "carboplatin",
            "vincristine",
        }:
            symptoms.append("numbness-tingling")
        if drugs & {"capecitabine", "fluorouracil"}:
            symptoms.append("hand-foot-syndrome")
    if kinds & {"immunotherapy", "targeted"}:
        symptoms += ["rash", "diarrhea"]
    if "hormone" in kinds:
        symptoms.append("hot-flashes")
    if patient.cancer in ("lung", "head-and-neck"):
        symptoms += ["shortness-of-breath", "decreased-appetite"]
    if patient.cancer == "head-and-neck":
        symptoms.append("mouth-sores")
    if patient.cancer == "colorectal":
        symptoms += ["diarrhea", "constipation"]
    return tuple(dict.fromkeys(symptoms))  # de-duplicated, order kept


def pro_ctcae_answers(
    rng: random.Random, items: list[Item], levels: dict[str, float], kinds: set[str]
) -> list[tuple[str, int | str]]:
    """One weekly response; `levels` maps each fitting symptom to the patient's burden (0..1)."""
    severe = int(threshold("PRO-SEVERE", "severity_attribute_min"))
    answers: list[tuple[str, int | str]] = []
    by_symptom: dict[str, list[Item]] = {}
    for item in items:
        by_symptom.setdefault(item.scale, []).append(item)
    for symptom, level in levels.items():
        attributes = by_symptom.get(symptom)
        if not attributes:
            continue
        if symptom == "fatigue" and "fatigue_flare" in kinds:
            answers += [
                (a.link_id, severe if a.attribute == "severity" else rng.choice((3, 4)))
                for a in attributes
            ]
            continue
        first = attributes[0]
        if first.attribute == "presence":
            answers.append((first.link_id, int(rng.random() < level * 0.2)))
            continue
        low_mood = symptom in ("sad", "anxiety") and "depression_onset" in kinds
        if symptom in ("sad", "anxiety") and not low_mood and rng.random() < 0.01:
            answers.append((first.link_id, PREFER_NOT))
            continue
        if symptom == "hot-flashes" and rng.random() < 0.03:
            answers.append((first.link_id, NOT_APPLICABLE))
            continue
        if not low_mood and rng.random() >= 0.1 + level * 0.7:
            answers.append((first.link_id, 0))  # follow-ups are not asked after a 0
            continue
        # Normal answers keep every composite grade <= 1, so PRO-WORSE (a rise of 2) and
        # PRO-SEVERE only fire on injected flares: frequency <= 2, severity and interference <= 1.
        for attribute in attributes:
            if attribute.attribute == "frequency":
                frequency = 2 if low_mood else 1 + int(rng.random() < level)
                answers.append((attribute.link_id, frequency))
            elif attribute.attribute == "severity":
                answers.append((attribute.link_id, 1))
            else:
                answers.append((attribute.link_id, int(rng.random() < level * 0.6)))
    return answers
