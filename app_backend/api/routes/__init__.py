"""One router per module. A new module adds its router module here (and nowhere else)."""

from app_backend.api.routes import (
    admin,
    auth,
    clinician,
    community,
    consent,
    export,
    fhir,
    health,
    health_record,
    library,
    teleconsultations,
    telehealth,
)

# Order matters for FHIR: fixed operation paths ($export) before the generic /fhir/{type}/{id}
# routes ($summary has one more segment, so they cannot shadow it). The FHIR routers come early
# because a request is matched against the routes in order and FHIR reads are the busiest path.
ROUTERS = [
    health.router,
    export.router,
    fhir.router,
    auth.router,
    admin.router,
    consent.router,
    clinician.router,
    health_record.router,
    library.router,
    community.router,
    telehealth.router,
    teleconsultations.router,
]
