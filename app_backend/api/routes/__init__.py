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

# Order matters for FHIR: fixed operation paths ($export, $summary) before the generic
# /fhir/{type}/{id} routes.
ROUTERS = [
    health.router,
    auth.router,
    admin.router,
    consent.router,
    clinician.router,
    health_record.router,
    library.router,
    community.router,
    telehealth.router,
    teleconsultations.router,
    export.router,
    fhir.router,
]
