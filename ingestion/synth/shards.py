"""One chunk of patients, generated into a shard folder the orchestrator then merges in order.

Per-patient files (Bundles, device files) go straight to their final place; what many patients
share (bulk NDJSON, ground-truth rows, library interactions) goes to the shard, as rows without
headers. Every patient depends only on (seed, index), so chunks can run in any process and the
merged tree is the same whatever the chunking or the number of workers.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ingestion.synth import fhir_clinical
from ingestion.synth.app_content import AppContent
from ingestion.synth.bundles import write_bundle
from ingestion.synth.centres import CENTRES
from ingestion.synth.cohort import Patient, make_patient
from ingestion.synth.config import Summary, SynthConfig
from ingestion.synth.consents import research_consents
from ingestion.synth.devices import DeviceSinks
from ingestion.synth.episodes import Episode, ground_truth_row, plan_episodes
from ingestion.synth.fhir_observations import observation, questionnaire_response
from ingestion.synth.ndjson import BulkWriter
from ingestion.synth.proms import PromGenerator
from ingestion.synth.routes import route
from ingestion.synth.vitals import daily_readings

GROUND_TRUTH_ROWS = "episodes.csv"
INTERACTION_ROWS = "interactions.csv"


def generate_chunk(config: SynthConfig, start: int, stop: int, shard: Path) -> Summary:
    """Patients start..stop-1 into `shard`; returns what was written."""
    summary = Summary()
    bulk = BulkWriter(shard)
    devices = DeviceSinks(config.out / "devices")
    organizations = {
        c.centre_id: fhir_clinical.organization(c, config.export_time) for c in CENTRES
    }
    app = None
    if config.app_content:
        app = AppContent(shard, config.seed, config.window_start, config.days, shard=True)
    with open(shard / GROUND_TRUTH_ROWS, "w", newline="", encoding="utf-8") as truth_file:
        truth = csv.writer(truth_file, lineterminator="\n")
        for index in range(start, stop):
            patient = make_patient(config.seed, index, config.window_start)
            episodes = plan_episodes(config.seed, index, config.days)
            _write_patient(config, patient, episodes, bulk, devices, organizations, summary)
            for episode in episodes:
                truth.writerow(ground_truth_row(patient.patient_id, episode, config.window_start))
            summary.episodes += len(episodes)
            if app is not None:
                app.add_patient(patient, episodes)
            summary.patients += 1
    bulk.close()
    if app is not None:
        app.close()
    return summary


def _write_patient(
    config: SynthConfig,
    patient: Patient,
    episodes: list[Episode],
    bulk: BulkWriter,
    devices: DeviceSinks,
    organizations: dict[str, dict],
    summary: Summary,
) -> None:
    """One patient's hospital record, readings (by their route) and questionnaires."""
    pid = patient.patient_id
    last_updated = config.export_time
    hospital = [
        fhir_clinical.patient_resource(patient, config.seed, last_updated),
        *fhir_clinical.conditions(patient, config.end_date, last_updated),
        *fhir_clinical.treatments(patient, config.end_date, last_updated),
        *fhir_clinical.allergies(patient, last_updated),
    ]
    for resource in hospital:
        bulk.write(resource)
        summary.add(resource["resourceType"])
    for consent in research_consents(patient, config.seed, config.window_start, last_updated):
        bulk.write(consent)  # the backend's $export, not the hospital: kept out of the bundles
        summary.add("Consent")
    bundles = config.out / "fhir" / "bundles"
    write_bundle(bundles, organizations[patient.centre.centre_id], hospital, last_updated)
    device = devices.open_patient(patient, config.end_date)
    n_obs = 0
    readings = daily_readings(patient, config.seed, config.window_start, config.days, episodes)
    for _, day_readings in readings:
        for reading in day_readings:
            target = route(patient, reading.measure)
            if target == "fhir":
                n_obs += 1
                bulk.write(observation(reading, pid, f"{pid}-obs-{n_obs:06d}"))
                summary.add("Observation")
            else:
                device.add(target, reading)
                summary.add(target)
    device.close()
    prom = PromGenerator(patient, config.seed, config.window_start, episodes)
    for n, (_, response) in enumerate(prom.responses(config.days), start=1):
        bulk.write(questionnaire_response(response, pid, f"{pid}-qr-{n:05d}"))
        summary.add("QuestionnaireResponse")
