"""Who the synthetic survivors are: demographics, cancer, treatments, comorbidities, devices,
and the personal set points their readings and questionnaires vary around (see clinical_tables)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from ingestion.synth.centres import CENTRES, FAMILY_NAMES, GIVEN_NAMES, Centre
from ingestion.synth.clinical_tables import (
    ALLERGIES,
    CANCERS,
    COMORBIDITIES,
    DRUGS,
    RADIOTHERAPY,
    REGIMENS,
    STAGE_WEIGHTS,
    SURGERY,
)
from ingestion.synth.rand import clamp, stream, weighted

# Delivery routes cycle with the patient index (50% app FHIR, 30% Apple Health, 20% Open mHealth
# wearables; 40% vendor CSV home devices), so that any ten consecutive patients cover every route
# combination and even a tiny cohort exercises every loader.
WEARABLE_CYCLE = (
    "fhir",
    "apple-health",
    "open-mhealth",
    "fhir",
    "apple-health",
    "fhir",
    "open-mhealth",
    "fhir",
    "apple-health",
    "fhir",
)
CSV_HOME_SLOTS = (1, 3, 6, 8)


@dataclass(frozen=True)
class Treatment:
    kind: str  # surgery | radiotherapy | chemotherapy | hormone | immunotherapy | targeted
    code: str
    display: str
    start: date
    end: date | None  # None: ongoing


@dataclass
class Patient:
    index: int
    patient_id: str
    centre: Centre
    sex: str
    birth_date: date
    given: str
    family: str
    cancer: str
    stage: str
    diagnosis_date: date
    treatments: list[Treatment] = field(default_factory=list)
    comorbidities: list[tuple[str, str]] = field(default_factory=list)
    allergies: list[tuple[str, str, str, str]] = field(default_factory=list)
    wearable_route: str = "fhir"
    home_route: str = "fhir"
    imperial_weight: bool = False
    fahrenheit: bool = False
    baseline: dict[str, float] = field(default_factory=dict)

    @property
    def language(self) -> str:
        return self.centre.language

    def treatment_kinds_on(self, day: date) -> set[str]:
        return {
            t.kind for t in self.treatments if t.start <= day and (t.end is None or t.end >= day)
        }

    def has(self, icd10_prefix: str) -> bool:
        return any(code.startswith(icd10_prefix) for code, _ in self.comorbidities)


def patient_id(index: int) -> str:
    return f"sp-{index + 1:07d}"


def make_patient(seed: int, index: int, window_start: date) -> Patient:
    rng = stream(seed, index, "profile")
    centre = CENTRES[rng.choices(range(len(CENTRES)), weights=[c.weight for c in CENTRES])[0]]
    cancer = weighted(rng, {name: spec[0] for name, spec in CANCERS.items()})
    _, _, _, share_female, mean_age = CANCERS[cancer]
    sex = "female" if rng.random() < share_female else "male"
    years_since_dx = clamp(rng.lognormvariate(0.7, 0.9), 0.15, 15.0)
    diagnosis_date = window_start - timedelta(days=int(years_since_dx * 365.25))
    age_at_dx = clamp(rng.gauss(mean_age, 11), 24, 89)
    birth_date = diagnosis_date - timedelta(days=int(age_at_dx * 365.25) + rng.randrange(365))
    given = rng.choice(GIVEN_NAMES[centre.language][0 if sex == "female" else 1])
    patient = Patient(
        index=index,
        patient_id=patient_id(index),
        centre=centre,
        sex=sex,
        birth_date=birth_date,
        given=given,
        family=rng.choice(FAMILY_NAMES[centre.language]),
        cancer=cancer,
        stage=weighted(rng, STAGE_WEIGHTS[cancer]),
        diagnosis_date=diagnosis_date,
    )
    patient.treatments = _treatments(rng, cancer, diagnosis_date)
    age = (window_start - birth_date).days / 365.25
    patient.comorbidities = [
        (code, display)
        for code, display, prevalence in COMORBIDITIES
        if rng.random() < prevalence * (0.5 + age / 120)
    ]
    patient.allergies = [
        (system, code, display, category)
        for system, code, display, category, prevalence in ALLERGIES
        if rng.random() < prevalence
    ]
    patient.wearable_route = WEARABLE_CYCLE[index % len(WEARABLE_CYCLE)]
    patient.home_route = "csv" if index % len(WEARABLE_CYCLE) in CSV_HOME_SLOTS else "fhir"
    # Phones and scales set to imperial units: common in Ireland, occasional elsewhere, and always
    # in a few fixed route slots so that every cohort of 20 exercises lb and degF conversion.
    patient.imperial_weight = rng.random() < (
        0.4 if centre.country == "IE" else 0.08
    ) or index % 20 in (4, 8)
    patient.fahrenheit = rng.random() < (0.3 if centre.country == "IE" else 0.05) or index % 20 in (
        1,
        14,
    )
    patient.baseline = _baseline(rng, patient, age)
    return patient


def _treatments(rng: random.Random, cancer: str, dx: date) -> list[Treatment]:
    treatments: list[Treatment] = []
    surgery_day = dx + timedelta(days=rng.randint(14, 45))
    draw = rng.random()
    for code, display, probability in SURGERY[cancer]:
        if draw < probability:
            treatments.append(Treatment("surgery", code, display, surgery_day, surgery_day))
            break
        draw -= probability
    systemic_start = surgery_day + timedelta(days=rng.randint(21, 50))
    for kind, probability, drugs, months in REGIMENS[cancer]:
        if rng.random() >= probability:
            continue
        end = systemic_start + timedelta(days=int(months * 30.4 * rng.uniform(0.8, 1.1)))
        for drug in drugs:
            treatments.append(Treatment(kind, DRUGS[drug], drug, systemic_start, end))
        if kind == "chemotherapy":
            systemic_start = end + timedelta(days=rng.randint(14, 35))
    if rng.random() < RADIOTHERAPY[cancer]:
        start = systemic_start + timedelta(days=rng.randint(0, 30))
        treatments.append(
            Treatment(
                "radiotherapy",
                "external-beam-radiotherapy",
                "External beam radiotherapy",
                start,
                start + timedelta(days=rng.randint(21, 42)),
            )
        )
    treatments.sort(key=lambda t: (t.start, t.kind, t.code))
    return treatments


def _baseline(rng: random.Random, patient: Patient, age: float) -> dict[str, float]:
    """Personal set points for each measure and each questionnaire's latent state."""
    female = patient.sex == "female"
    hypertensive = patient.has("I10")
    copd = patient.has("J44")
    return {
        "steps": clamp(rng.lognormvariate(8.75 - max(age - 50, 0) * 0.012, 0.35), 1800, 16000),
        "rhr": clamp(rng.gauss(68, 6), 54, 84),
        "weight_kg": clamp(rng.gauss(68 if female else 82, 12), 45, 140),
        "height_cm": clamp(rng.gauss(164 if female else 177, 7), 145, 200),
        "systolic": clamp(rng.gauss(138 if hypertensive else 124, 8), 105, 155),
        "diastolic": clamp(rng.gauss(86 if hypertensive else 78, 5), 62, 95),
        "temperature": clamp(rng.gauss(36.6, 0.15), 36.2, 37.0),
        "spo2": clamp(rng.gauss(94.5 if copd else 97, 0.8), 93.5, 99),
        "sleep_h": clamp(rng.gauss(7.0, 0.6), 5.5, 8.5),
        "hrv_ms": clamp(rng.gauss(42 - max(age - 50, 0) * 0.4, 9), 15, 80),
        # Latent PROM states in [0, 1]: higher is worse. Depression history raises mood burden.
        "mood": clamp(rng.betavariate(1.6, 5) + (0.15 if patient.has("F33") else 0), 0, 1),
        "burden": clamp(rng.betavariate(1.8, 4.5), 0, 1),
        "function": clamp(rng.betavariate(1.5, 5), 0, 1),
        "prom_adherence": clamp(rng.gauss(0.9, 0.05), 0.7, 0.99),
        "wear_adherence": clamp(rng.gauss(0.93, 0.04), 0.8, 0.995),
        "weekly_rhythm": rng.uniform(0.05, 0.25),
    }
