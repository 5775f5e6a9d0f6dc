"""The health-record module's app-facing routes: quick entry of symptoms, vitals, medical
events and medications (with adherence), PROM answers, hospital Bundle import, and the
International Patient Summary. Every submission is checked against the real-time rules."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, UploadFile, status
from pydantic import BaseModel

from app_backend.api.deps import HealthRecordAccess, SessionDep, SettingsDep
from app_backend.api.health_record_schemas import (
    AdherenceOut,
    EventIn,
    ImportOut,
    IntakeIn,
    MedicationIn,
    SubmissionOut,
    SymptomsIn,
    VitalIn,
)
from app_backend.api.schemas import FhirResourceOut
from app_backend.db import utcnow
from app_backend.fhir import builders
from app_backend.fhir.bundles import base_url
from app_backend.fhir.ips import summary_bundle
from app_backend.fhir.responses import FHIR_ERRORS, FhirJSONResponse
from app_backend.fhir.validation import not_found, validate_resource
from app_backend.services import device_files, fhir_store, prom
from app_backend.services.bundle_import import import_bundle
from app_backend.services.health_record import RECORD_TYPES, Submission, submit

router = APIRouter(tags=["health-record"])

PatientId = Annotated[str, Path(max_length=64)]
ResourceId = Annotated[str, Path(max_length=64)]
MAX_SUMMARY_RESOURCES = 2000


def _writer(access) -> None:
    if access.purpose == "caregiving":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "caregivers have read-only access")


def _store(session, settings, access, resource: dict) -> SubmissionOut:
    _writer(access)
    submission: Submission = submit(session, settings, access.user, validate_resource(resource),
                                    access.patient_id)
    session.commit()
    return SubmissionOut(resource=submission.row.resource, alerts=submission.alerts_out(),
                         guidance=submission.guidance)


@router.post("/health-record/{patient_id}/symptoms", status_code=201, response_model=SubmissionOut)
def record_symptoms(patient_id: PatientId, body: SymptomsIn, access: HealthRecordAccess,
                    session: SessionDep, settings: SettingsDep) -> SubmissionOut:
    """Quick symptom entry (PRO-CTCAE or ESAS-r items by linkId), stored as a QuestionnaireResponse."""
    response = prom.quick_entry(
        settings.catalogue_dir, instrument_name=body.instrument, patient_id=access.patient_id,
        answers=body.answers, authored=body.authored.isoformat() if body.authored else None,
    )
    return _store(session, settings, access, response)


@router.post("/health-record/{patient_id}/prom-responses", status_code=201, response_model=SubmissionOut)
def answer_prom(patient_id: PatientId, access: HealthRecordAccess, session: SessionDep,
                settings: SettingsDep,
                body: Annotated[dict, Body(description="A FHIR QuestionnaireResponse")]) -> SubmissionOut:
    """Answer a PROM (see GET /fhir/Questionnaire); urgent answers bring guidance at once."""
    resource = validate_resource(body, "QuestionnaireResponse")
    resource["subject"] = {"reference": f"Patient/{access.patient_id}"}
    resource.setdefault("authored", utcnow().isoformat())
    return _store(session, settings, access, resource)


@router.post("/health-record/{patient_id}/vitals", status_code=201, response_model=SubmissionOut)
def record_vital(patient_id: PatientId, body: VitalIn, access: HealthRecordAccess,
                 session: SessionDep, settings: SettingsDep) -> SubmissionOut:
    """A home measurement (temperature, SpO2, heart rate, weight, blood pressure, ...)."""
    observation = builders.vital_observation(
        access.patient_id, body.kind, body.value,
        body.effective.isoformat() if body.effective else None, body.diastolic,
    )
    return _store(session, settings, access, observation)


@router.post("/health-record/{patient_id}/events", status_code=201, response_model=SubmissionOut)
def record_event(patient_id: PatientId, body: EventIn, access: HealthRecordAccess,
                 session: SessionDep, settings: SettingsDep) -> SubmissionOut:
    """A medical event: a diagnosis, a procedure, an immunisation or an allergy."""
    resource = builders.medical_event(
        access.patient_id, body.kind, body.text, body.date.isoformat() if body.date else None,
        body.coding.model_dump(exclude_none=True) if body.coding else None,
    )
    return _store(session, settings, access, resource)


@router.post("/health-record/{patient_id}/medications", status_code=201, response_model=SubmissionOut)
def add_medication(patient_id: PatientId, body: MedicationIn, access: HealthRecordAccess,
                   session: SessionDep, settings: SettingsDep) -> SubmissionOut:
    resource = builders.medication_statement(
        access.patient_id, body.name, body.dosage, body.start.isoformat() if body.start else None,
        body.coding.model_dump(exclude_none=True) if body.coding else None,
    )
    return _store(session, settings, access, resource)


def _statement(session, access, medication_id: str) -> dict:
    row = fhir_store.read(session, "MedicationStatement", medication_id)
    if row is None or row.patient_id != access.patient_id:
        raise not_found(f"MedicationStatement/{medication_id}")
    return row.resource


@router.post("/health-record/{patient_id}/medications/{medication_id}/intakes", status_code=201,
             response_model=SubmissionOut)
def record_intake(patient_id: PatientId, medication_id: ResourceId, body: IntakeIn,
                  access: HealthRecordAccess, session: SessionDep, settings: SettingsDep) -> SubmissionOut:
    """A dose taken (or missed, with a reason): the basis of adherence."""
    statement = _statement(session, access, medication_id)
    resource = builders.medication_intake(
        access.patient_id, statement, body.taken, body.at.isoformat() if body.at else None, body.reason
    )
    return _store(session, settings, access, resource)


@router.get("/health-record/{patient_id}/medications/{medication_id}/adherence",
            response_model=AdherenceOut)
def adherence(patient_id: PatientId, medication_id: ResourceId, access: HealthRecordAccess,
              session: SessionDep, days: Annotated[int, Query(ge=1, le=365)] = 30) -> AdherenceOut:
    """Doses taken and missed over the last `days` days."""
    _statement(session, access, medication_id)
    query = fhir_store.SearchQuery(
        resource_type="MedicationAdministration", patient_ids=[access.patient_id],
        date_from=utcnow() - timedelta(days=days), count=10_000,
    )
    rows, _ = fhir_store.search(session, query)
    target = f"MedicationStatement/{medication_id}"
    mine = [r.resource for r in rows
            if any(s.get("reference") == target for s in r.resource.get("supportingInformation", []))]
    taken = sum(1 for r in mine if r["status"] == "completed")
    missed = sum(1 for r in mine if r["status"] == "not-done")
    pct = round(100 * taken / (taken + missed), 1) if taken + missed else None
    return AdherenceOut(medication_id=medication_id, days=days, taken=taken, missed=missed,
                        adherence_pct=pct)


@router.post("/health-record/{patient_id}/import", status_code=201, response_model=ImportOut)
def import_hospital_bundle(
    patient_id: PatientId, access: HealthRecordAccess, session: SessionDep, settings: SettingsDep,
    body: Annotated[dict, Body(description="A FHIR Bundle exported by a hospital")],
) -> ImportOut:
    """Import a hospital's FHIR Bundle into the record (all or nothing)."""
    _writer(access)
    result = import_bundle(session, settings, access.user, access.patient_id, body)
    session.commit()
    alerts = [a for s in result.submissions for a in s.alerts_out()]
    guidance = [g for s in result.submissions for g in s.guidance]
    return ImportOut(imported=dict(result.imported), skipped=result.skipped[:200], alerts=alerts,
                     guidance=guidance)


class DeviceFileOut(BaseModel):
    kind: str
    detail: str | None
    stored_as: str
    status: str


@router.post("/health-record/{patient_id}/device-files", status_code=202, response_model=DeviceFileOut)
def upload_device_file(patient_id: PatientId, file: UploadFile, access: HealthRecordAccess,
                       settings: SettingsDep) -> DeviceFileOut:
    """A wearable or home-device file (Open mHealth, Apple Health export, device CSV), handed to
    the pipeline's ingestion (its kind is checked now; its readings arrive with the next run)."""
    _writer(access)
    try:
        upload = device_files.receive(file.file, settings.landing_dir / ".incoming",
                                      settings.max_import_bytes)
    except device_files.TooLarge as exc:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(exc)) from None
    return DeviceFileOut(**device_files.land(upload, settings.landing_dir, access.patient_id))


@router.get("/fhir/Patient/{patient_id}/$summary", response_model=FhirResourceOut,
            responses=FHIR_ERRORS, response_class=FhirJSONResponse, tags=["fhir"])
def patient_summary(patient_id: PatientId, request: Request, access: HealthRecordAccess,
                    session: SessionDep):
    """The International Patient Summary: a FHIR document Bundle to take to any clinic."""
    patient = fhir_store.read(session, "Patient", access.patient_id)
    if patient is None:
        raise not_found(f"Patient/{patient_id}")
    resources = []
    for kind in RECORD_TYPES:
        rows, _ = fhir_store.search(session, fhir_store.SearchQuery(
            resource_type=kind, patient_ids=[access.patient_id], count=MAX_SUMMARY_RESOURCES))
        resources.extend(r.resource for r in rows)
    return FhirJSONResponse(summary_bundle(base_url(request), patient.resource, resources))
