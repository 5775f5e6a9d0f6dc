"""Which system delivers each measurement of a patient, so that no reading arrives twice.

A patient's wearable (steps, heart rate, sleep, HRV, SpO2, thermometer sync) reports through one
platform (the app's FHIR API, an Open mHealth wearable platform, or an iPhone's Apple Health
export); the home scale and blood-pressure cuff report through the app, the same platform, or a
vendor CSV export.
"""

from __future__ import annotations

from ingestion.synth.cohort import Patient

WEARABLE_MEASURES = ("steps", "heart_rate", "resting_hr", "sleep", "hrv", "spo2", "temperature")
HOME_MEASURES = ("weight", "blood_pressure")
# IEEE 1752.1 / Open mHealth has no HRV schema and Apple Health's blood pressure is a correlation
# our ingestion does not take: those readings go through the app's FHIR API instead.
UNSUPPORTED = {"open-mhealth": {"hrv"}, "apple-health": {"blood_pressure"}}


def route(patient: Patient, measure: str) -> str:
    """fhir | open-mhealth | apple-health | csv"""
    if measure in HOME_MEASURES and patient.home_route == "csv":
        return "csv"
    platform = patient.wearable_route
    if measure in UNSUPPORTED.get(platform, ()):
        return "fhir"
    return platform
