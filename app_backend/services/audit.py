"""Audit records (FHIR AuditEvent): written in their own transaction, so a request that fails
afterwards still leaves the trace of what was attempted, and committed before the caller goes on,
so no answer leaves the server without its audit record stored."""

from __future__ import annotations

from sqlalchemy import Connection, Insert, bindparam, case, insert, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from app_backend.db import utcnow
from app_backend.models import AuditRecord, User

ACTIONS = {"GET": "R", "HEAD": "R", "POST": "C", "PUT": "U", "PATCH": "U", "DELETE": "D"}
OUTCOME_SUCCESS = "0"
OUTCOME_DENIED = "4"
_INSERT = insert(AuditRecord)
_COLUMNS = ("recorded", "user_id", "role", "action", "patient_id", "entity", "purpose", "outcome", "client")


def write_audit(
    target: sessionmaker | Session,
    *,
    user: User | None,
    action: str,
    patient_id: str | None,
    entity: str,
    purpose: str,
    outcome: str = OUTCOME_SUCCESS,
    client: str | None = None,
) -> None:
    """Store one AuditEvent and commit it before returning. With a sessionmaker: in a transaction
    of its own. With a Session that has no pending writes (a read request): on its connection,
    committing its transaction at once, which spares a second connection and transaction."""
    write_audits(target, [audit_values(user=user, action=action, patient_id=patient_id, entity=entity,
                                       purpose=purpose, outcome=outcome, client=client)])


def write_audits(target: sessionmaker | Session, records: list[dict]) -> None:
    """Store AuditEvents (values as `audit_values`) in one statement and one commit, as
    `write_audit` does one."""
    # One INSERT, no ORM unit of work: audit is written on every read by staff and caregivers,
    # so it is on the hot path.
    if not records:
        return
    if isinstance(target, Session):
        insert_audit(target.connection(), records)
        target.commit()
        return
    with target.kw["bind"].begin() as connection:
        insert_audit(connection, records)


def insert_audit(connection: Connection, values: dict | list[dict]) -> None:
    """AuditEvents (values as `audit_values`, one or a list) on this connection; the caller commits."""
    connection.execute(_INSERT, values)


def audit_values(*, user, action: str, patient_id: str | None, entity: str, purpose: str,
                 outcome: str = OUTCOME_SUCCESS, client: str | None = None) -> dict:
    """The column values of one AuditEvent (the parameters of `_INSERT` and `deciding_insert`)."""
    return {
        "recorded": utcnow(),
        "user_id": user.id if user else None,
        "role": user.role if user else "anonymous",
        "action": action,
        "patient_id": patient_id,
        "entity": entity[:300],
        "purpose": purpose,
        "outcome": outcome,
        "client": (client or "")[:64] or None,
    }


def deciding_insert(permitted: ColumnElement[bool]) -> Insert:
    """One statement that takes an access decision and records it: it inserts an AuditEvent
    (parameters as `audit_values`, prefixed `audit_`) whose purpose and outcome are the given
    ones when `permitted` holds, "denied" and OUTCOME_DENIED otherwise, and returns the outcome.
    The decision and its trace are one atomic statement: one round trip, no SELECT-then-INSERT."""
    decision = select(permitted.label("permitted")).subquery("decision")
    values = {name: bindparam(f"audit_{name}", type_=AuditRecord.__table__.c[name].type)
              for name in _COLUMNS}
    values["purpose"] = case((decision.c.permitted, values["purpose"]), else_="denied")
    values["outcome"] = case((decision.c.permitted, OUTCOME_SUCCESS), else_=OUTCOME_DENIED)
    return (insert(AuditRecord)
            .from_select(list(_COLUMNS), select(*(values[name] for name in _COLUMNS)).select_from(decision))
            .returning(AuditRecord.outcome))


def as_fhir(record: AuditRecord) -> dict:
    """The record as a FHIR R4 AuditEvent."""
    event = {
        "resourceType": "AuditEvent",
        "id": str(record.id),
        "type": {
            "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
            "code": "rest",
            "display": "RESTful Operation",
        },
        "action": record.action,
        "recorded": record.recorded.isoformat(),
        "outcome": record.outcome,
        "purposeOfEvent": [{"coding": [{
            "system": "http://survivorship-platform.org/fhir/CodeSystem/purpose",
            "code": record.purpose,
        }]}],
        "agent": [{
            "who": {"reference": f"User/{record.user_id}"} if record.user_id else {"display": "anonymous"},
            "role": [{"text": record.role}],
            "requestor": True,
            **({"network": {"address": record.client, "type": "2"}} if record.client else {}),
        }],
        "source": {"observer": {"display": "survivorship app backend"}},
        "entity": [{"what": {"reference": record.entity}}],
    }
    if record.patient_id:
        event["entity"].insert(0, {"what": {"reference": f"Patient/{record.patient_id}"},
                                   "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1"}})
    return event
