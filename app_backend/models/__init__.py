"""SQLAlchemy models, one file per module. Importing this package registers every table on
`Base.metadata` (Alembic and the tests rely on that): add your module's import below."""

from app_backend.models import community, core, health_record, library, telehealth  # noqa: F401
from app_backend.models.core import (  # noqa: F401
    AuditRecord,
    CareTeam,
    CareTeamMember,
    CareTeamPatient,
    ConsentRecord,
    ExportJob,
    FhirResource,
    LoginAttempt,
    Role,
    User,
)
from app_backend.models.health_record import RealtimeAlert  # noqa: F401
