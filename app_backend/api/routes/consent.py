"""The patient's consents: who may see which part of their record (withdrawal stops sharing at
once), and whether their pseudonymised data may be used for research (withdrawal takes them out of
analyst views and OMOP exports from the next pipeline run)."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from app_backend.api.deps import PatientUser, SessionDep
from app_backend.api.schemas import ConsentIn, DelegationIn, FhirResourceOut, ResearchConsentIn
from app_backend.fhir.bundles import searchset
from app_backend.services import consent

router = APIRouter(prefix="/consents", tags=["consent"])

ConsentId = Annotated[str, Path(max_length=64)]


@router.get("", response_model=FhirResourceOut)
def list_consents(request: Request, patient: PatientUser, session: SessionDep) -> dict:
    """The caller's consents (active and withdrawn) as a FHIR Bundle of Consent."""
    records = consent.for_patient(session, patient.patient_id)
    return searchset(request, [consent.as_fhir(r) for r in records], offset=0,
                     count=len(records), total=len(records))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=FhirResourceOut)
def grant_consent(body: ConsentIn, patient: PatientUser, session: SessionDep) -> dict:
    """Permit (or deny) a care team or a user access to one module ("*" for all)."""
    record = consent.grant(session, patient_id=patient.patient_id, module=body.module,
                           recipient=body.recipient, decision=body.decision, by_user=patient.id)
    session.commit()
    return consent.as_fhir(record)


@router.post("/research", status_code=status.HTTP_201_CREATED, response_model=FhirResourceOut)
def record_research_consent(body: ResearchConsentIn, patient: PatientUser, session: SessionDep) -> dict:
    """Permit (or object to) research use of the caller's pseudonymised data; supersedes the last
    decision. Withdraw it like any consent; the warehouse applies it on its next run."""
    record = consent.record_research(session, patient_id=patient.patient_id, decision=body.decision,
                                     by_user=patient.id)
    session.commit()
    return consent.as_fhir(record)


@router.post("/delegations", status_code=status.HTTP_201_CREATED, response_model=FhirResourceOut)
def delegate(body: DelegationIn, patient: PatientUser, session: SessionDep) -> dict:
    """Give a caregiver read access to the caller's record."""
    record = consent.delegate_to_caregiver(
        session, patient_id=patient.patient_id, caregiver_email=body.caregiver_email,
        module=body.module, by_user=patient.id,
    )
    session.commit()
    return consent.as_fhir(record)


@router.post("/{consent_id}/withdraw", response_model=FhirResourceOut)
def withdraw(consent_id: ConsentId, patient: PatientUser, session: SessionDep) -> dict:
    """Withdraw a consent: the recipient loses access from the next request on."""
    record = consent.withdraw(session, patient.patient_id, consent_id)
    session.commit()
    return consent.as_fhir(record)
