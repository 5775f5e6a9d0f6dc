"""The clinician's workflow on warehouse alerts, stored as FHIR Tasks (one per alert and
patient) so the pipeline receives every acknowledgement and resolution through `$export`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app_backend.db import utcnow
from app_backend.models import FhirResource, User
from app_backend.services import fhir_store

TASK_TYPE_SYSTEM = "http://survivorship-platform.org/fhir/CodeSystem/task-type"
ALERT_ID_SYSTEM = "http://survivorship-platform.org/fhir/alert-id"
USER_ID_SYSTEM = "http://survivorship-platform.org/fhir/user-id"
STATUS_BY_ACTION = {"acknowledge": "accepted", "resolve": "completed"}


def _user_reference(user: User) -> dict:
    return {"identifier": {"system": USER_ID_SYSTEM, "value": str(user.id)}, "display": user.name}


def find_task(session: Session, patient_id: str, alert_id: str) -> FhirResource | None:
    rows = session.scalars(select(FhirResource).where(
        FhirResource.resource_type == "Task", FhirResource.patient_id == patient_id))
    for row in rows:
        if row.resource.get("focus", {}).get("identifier", {}).get("value") == alert_id:
            return row
    return None


def record_action(session: Session, *, patient_id: str, alert_id: str, action: str,
                  actor: User, note: str | None, assignee: User | None) -> FhirResource:
    now = utcnow().isoformat()
    row = find_task(session, patient_id, alert_id)
    task = dict(row.resource) if row else {
        "resourceType": "Task",
        "status": "requested",
        "intent": "order",
        "priority": "urgent",
        "code": {"coding": [{"system": TASK_TYPE_SYSTEM, "code": "alert-review"}]},
        "focus": {"identifier": {"system": ALERT_ID_SYSTEM, "value": alert_id}},
        "for": {"reference": f"Patient/{patient_id}"},
        "authoredOn": now,
    }
    if action in STATUS_BY_ACTION:
        task["status"] = STATUS_BY_ACTION[action]
        task.setdefault("owner", _user_reference(actor))
    elif action == "assign" and assignee is not None:
        task["owner"] = _user_reference(assignee)
        if task["status"] == "requested":
            task["status"] = "received"
    task["lastModified"] = now
    text = f"{action} by {actor.name}" + (f": {note}" if note else "")
    task["note"] = [*task.get("note", []), {"text": text, "time": now,
                                            "authorReference": _user_reference(actor)}]
    if row is None:
        return fhir_store.create(session, task, source="clinician", user_id=actor.id)
    return fhir_store.update(session, row, task, source="clinician")
