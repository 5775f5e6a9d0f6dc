"""Submitting to the health record: check, mark who reported it, store, and evaluate the
real-time rules (the care team gets an alert, the patient immediate guidance)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app_backend.config import Settings
from app_backend.models import FhirResource, RealtimeAlert, Role, User
from app_backend.services import fhir_store, prom, realtime_rules

# The resources a patient's record holds and the FHIR API reads, searches and creates.
RECORD_TYPES = (
    "Observation", "Condition", "Procedure", "MedicationStatement", "MedicationAdministration",
    "AllergyIntolerance", "Immunization", "QuestionnaireResponse", "DiagnosticReport", "CarePlan",
)
SOURCE_BY_ROLE = {Role.patient.value: "patient", Role.clinician.value: "clinician"}


@dataclass
class Submission:
    row: FhirResource
    alerts: list[RealtimeAlert] = field(default_factory=list)
    guidance: list[str] = field(default_factory=list)

    def alerts_out(self) -> list[dict]:
        return [alert_out(a) for a in self.alerts]


def mark_reporter(resource: dict, patient_id: str, source: str) -> dict:
    """Patient-reported data says so (EHDS patient-provided data): the Patient is the performer."""
    if source != "patient":
        return resource
    patient_ref = {"reference": f"Patient/{patient_id}"}
    resource_type = resource["resourceType"]
    if resource_type == "Observation" and not resource.get("performer"):
        return {**resource, "performer": [patient_ref]}
    if resource_type == "QuestionnaireResponse" and not resource.get("author"):
        return {**resource, "author": patient_ref, "source": patient_ref}
    if resource_type in {"Condition", "AllergyIntolerance"} and not resource.get("asserter"):
        return {**resource, "asserter": patient_ref}
    if resource_type == "MedicationStatement" and not resource.get("informationSource"):
        return {**resource, "informationSource": patient_ref}
    return resource


def submit(session: Session, settings: Settings, user: User, resource: dict, patient_id: str,
           *, source: str | None = None, resource_id: str | None = None) -> Submission:
    """Store one validated resource for this patient; raise the alerts it triggers."""
    source = source or SOURCE_BY_ROLE.get(user.role, "system")
    if resource["resourceType"] == "QuestionnaireResponse":
        prom.check_response(settings.catalogue_dir, resource)
    resource = mark_reporter(resource, patient_id, source)
    row = fhir_store.create(session, resource, source=source, user_id=user.id,
                            resource_id=resource_id)
    submission = Submission(row=row)
    for finding in realtime_rules.evaluate(settings.catalogue_dir, row.resource, patient_id):
        alert = RealtimeAlert(
            patient_id=patient_id, rule_id=finding.rule.rule_id, rule_version=finding.rule.version,
            severity=finding.rule.severity, title=finding.rule.title, evidence=finding.evidence,
            focus=f"{row.resource_type}/{row.id}",
        )
        session.add(alert)
        submission.alerts.append(alert)
        submission.guidance.append(
            realtime_rules.guidance(finding.rule.rule_id, finding.evidence, settings.emergency_number)
        )
    session.flush()
    return submission


def alert_out(alert: RealtimeAlert) -> dict:
    return {
        "alert_id": alert.id, "patient_id": alert.patient_id, "rule_id": alert.rule_id,
        "rule_version": alert.rule_version, "severity": alert.severity, "title": alert.title,
        "triggered_at": alert.triggered_at.isoformat(), "evidence": alert.evidence,
        "focus": alert.focus, "status": alert.status,
    }


def alerts_for(session: Session, patient_ids: list[str], limit: int, offset: int) -> list[RealtimeAlert]:
    if not patient_ids:
        return []
    return list(session.scalars(
        select(RealtimeAlert).where(RealtimeAlert.patient_id.in_(patient_ids))
        .order_by(RealtimeAlert.triggered_at.desc(), RealtimeAlert.id).offset(offset).limit(limit)
    ))
