"""Request and response bodies of the health-record module's app-facing routes."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from app_backend.api.schemas import Strict

Text = Annotated[str, Field(min_length=1, max_length=500)]
LinkId = Annotated[str, Field(min_length=1, max_length=80)]
Answer = int | Literal["not-applicable", "prefer-not-to-answer"]


class CodingIn(Strict):
    system: Annotated[str, Field(min_length=1, max_length=200)]
    code: Annotated[str, Field(min_length=1, max_length=100)]
    display: Annotated[str, Field(max_length=200)] | None = None


class SymptomsIn(Strict):
    instrument: Literal["pro-ctcae", "esas-r"]
    answers: Annotated[dict[LinkId, Answer], Field(min_length=1, max_length=60)]
    authored: AwareDatetime | None = None


class VitalIn(Strict):
    kind: Literal["body-temperature", "oxygen-saturation", "heart-rate", "resting-heart-rate",
                  "respiratory-rate", "body-weight", "steps", "blood-pressure"]
    value: Annotated[float, Field(ge=0, le=100_000)]
    diastolic: Annotated[float, Field(ge=0, le=400)] | None = None
    effective: AwareDatetime | None = None

    @model_validator(mode="after")
    def blood_pressure_needs_both(self):
        if self.kind == "blood-pressure" and self.diastolic is None:
            raise ValueError("blood-pressure needs value (systolic) and diastolic")
        return self


class EventIn(Strict):
    kind: Literal["condition", "procedure", "immunization", "allergy"]
    text: Text
    date: Date | None = None
    coding: CodingIn | None = None


class MedicationIn(Strict):
    name: Text
    dosage: Annotated[str, Field(max_length=500)] | None = None
    start: Date | None = None
    coding: CodingIn | None = None


class IntakeIn(Strict):
    taken: bool
    at: AwareDatetime | None = None
    reason: Annotated[str, Field(max_length=500)] | None = None


class AlertOut(BaseModel):
    alert_id: str
    patient_id: str
    rule_id: str
    rule_version: int
    severity: str
    title: str
    triggered_at: datetime
    evidence: dict
    focus: str
    status: str


class SubmissionOut(BaseModel):
    """What was stored, the alerts it raised for the care team, and what to do now."""

    resource: dict
    alerts: list[AlertOut]
    guidance: list[str]


class AdherenceOut(BaseModel):
    medication_id: str
    days: int
    taken: int
    missed: int
    adherence_pct: float | None


class ImportOut(BaseModel):
    imported: dict[str, int]
    skipped: list[str]
    alerts: list[AlertOut]
    guidance: list[str]
