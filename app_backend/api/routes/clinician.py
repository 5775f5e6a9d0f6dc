"""What the clinician dashboard calls: the caller's care-team patients, the real-time alerts
raised for them, and the alert workflow (acknowledge, resolve, assign) stored as FHIR Tasks.
Every call is care-team checked and audited."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from app_backend.api.deps import (
    ClinicianUser,
    SessionDep,
    audit,
    audit_listed,
    check_patient_access,
)
from app_backend.api.health_record_schemas import AlertOut
from app_backend.api.schemas import FhirResourceOut, Strict
from app_backend.fhir.bundles import searchset
from app_backend.models import CareTeam, CareTeamPatient, FhirResource, Role, User
from app_backend.services import alert_tasks, fhir_store
from app_backend.services.access import accessible_patient_ids, clinician_team_ids
from app_backend.services.accounts import AccountError
from app_backend.services.health_record import alert_out, alerts_for

router = APIRouter(prefix="/clinician", tags=["clinician"])
MODULE = "health-record"
Count = Annotated[int, Query(alias="_count", ge=1, le=500)]
Offset = Annotated[int, Query(alias="_offset", ge=0, le=100_000)]


class CareTeamPatientOut(BaseModel):
    patient_id: str
    name: str | None
    birth_date: str | None
    team: str
    team_id: int


class AlertActionIn(Strict):
    patient_id: Annotated[str, Field(min_length=1, max_length=64)]
    action: Literal["acknowledge", "resolve", "assign"]
    note: Annotated[str, Field(max_length=2000)] | None = None
    assignee: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None


@router.get("/patients", response_model=list[CareTeamPatientOut])
def my_patients(request: Request, clinician: ClinicianUser, session: SessionDep):
    """The caller's care-team patients (only those whose consent lets the team see them)."""
    reachable = set(accessible_patient_ids(session, clinician, MODULE))
    teams = clinician_team_ids(session, clinician.id)
    links = session.execute(
        select(CareTeamPatient.patient_id, CareTeam.id, CareTeam.name)
        .join(CareTeam, CareTeam.id == CareTeamPatient.care_team_id)
        .where(CareTeamPatient.care_team_id.in_(teams))
        .order_by(CareTeam.name, CareTeamPatient.patient_id)
    )
    links = [link for link in links if link[0] in reachable]
    patients = {row.id: row.resource for row in session.scalars(select(FhirResource).where(
        FhirResource.resource_type == "Patient", FhirResource.id.in_([p for p, _, _ in links])))}
    out = []
    for patient_id, team_id, team_name in links:
        resource = patients.get(patient_id, {})
        name = next((n.get("text") for n in resource.get("name", []) if n.get("text")), None)
        out.append(CareTeamPatientOut(patient_id=patient_id, name=name,
                                      birth_date=resource.get("birthDate"), team=team_name,
                                      team_id=team_id))
    if out:
        audit(request, clinician, patient_id=None, entity="/clinician/patients", purpose="treatment")
    return out


@router.get("/alerts", response_model=list[AlertOut])
def my_alerts(
    request: Request, clinician: ClinicianUser, session: SessionDep,
    patient_id: Annotated[str | None, Query(max_length=64)] = None,
    count: Count = 100, offset: Offset = 0,
):
    """Real-time alerts (FEVER, SPO2-LOW, PHQ9-ITEM9, ...) for the caller's patients, newest first."""
    if patient_id:
        check_patient_access(request, session, clinician, patient_id, module=MODULE)
        patients = [patient_id]
    else:
        patients = accessible_patient_ids(session, clinician, MODULE)
    alerts = alerts_for(session, patients, count, offset)
    audit_listed(request, session, clinician, {a.patient_id for a in alerts} - {patient_id},
                 entity="/clinician/alerts")
    return [alert_out(a) for a in alerts]


@router.post("/alerts/{alert_id}/actions", status_code=status.HTTP_201_CREATED,
             response_model=FhirResourceOut)
def act_on_alert(alert_id: Annotated[str, Path(max_length=128)], body: AlertActionIn,
                 request: Request, clinician: ClinicianUser, session: SessionDep) -> dict:
    """Acknowledge, resolve or assign a (warehouse) alert; answers the updated FHIR Task."""
    check_patient_access(request, session, clinician, body.patient_id, module=MODULE,
                         entity=f"Task?alert={alert_id}")
    assignee = None
    if body.action == "assign":
        assignee = session.get(User, body.assignee) if body.assignee else None
        shares_team = assignee is not None and assignee.role == Role.clinician and bool(
            clinician_team_ids(session, assignee.id, body.patient_id))
        if not shares_team:
            raise AccountError(422, "assignee must be a clinician on this patient's care team")
    row = alert_tasks.record_action(
        session, patient_id=body.patient_id, alert_id=alert_id, action=body.action,
        actor=clinician, note=body.note, assignee=assignee,
    )
    session.commit()
    return row.resource


@router.get("/alerts/actions", response_model=FhirResourceOut)
def alert_actions(
    request: Request, clinician: ClinicianUser, session: SessionDep,
    patient_id: Annotated[str, Query(max_length=64)],
    count: Count = 100, offset: Offset = 0,
) -> dict:
    """The alert-review Tasks of one patient, as a FHIR Bundle."""
    check_patient_access(request, session, clinician, patient_id, module=MODULE)
    rows, total = fhir_store.search(session, fhir_store.SearchQuery(
        resource_type="Task", patient_ids=[patient_id], count=count, offset=offset))
    return searchset(request, [r.resource for r in rows], offset=offset, count=count, total=total)
