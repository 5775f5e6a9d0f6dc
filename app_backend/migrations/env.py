"""Alembic environment: runs on the connection handed over by app_backend.db.migrate(), or on
DATABASE_URL when alembic is called directly (`alembic -c app_backend/alembic.ini upgrade heads`)."""

from alembic import context

from app_backend import models  # noqa: F401 - registers every table
from app_backend.db import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from app_backend.config import get_settings
        from app_backend.db import make_engine

        with make_engine(get_settings().database_url).begin() as own:
            _run_on(own)
    else:
        _run_on(connection)


def _run_on(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run()
