"""`python -m app_backend migrate | create-user` (serve is exercised by the benchmark and demo)."""

import pytest
from sqlalchemy import select

from app_backend.__main__ import main
from app_backend.config import get_settings
from app_backend.db import make_engine, make_session_factory
from app_backend.models import User


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_migrate_then_create_users(cli_env, monkeypatch, capsys):
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0  # idempotent
    monkeypatch.setenv("ADMIN_PASSWORD", "a long admin password")
    assert main(["create-user", "--role", "admin", "--email", "Admin@Example.org", "--name", "Ada Admin",
                 "--password-env", "ADMIN_PASSWORD"]) == 0
    assert main(["create-user", "--role", "patient", "--email", "p@example.org", "--name", "Pat Ient",
                 "--password-env", "ADMIN_PASSWORD", "--birth-date", "1970-01-01"]) == 0
    out = capsys.readouterr().out
    assert "created admin admin@example.org" in out and "Patient/" in out
    engine = make_engine(f"sqlite:///{cli_env / 'cli.sqlite'}")
    with make_session_factory(engine)() as session:
        roles = {u.email: u.role for u in session.scalars(select(User))}
    assert roles == {"admin@example.org": "admin", "p@example.org": "patient"}


def test_create_user_errors_are_one_clear_line(cli_env, monkeypatch, capsys):
    main(["migrate"])
    monkeypatch.delenv("NO_SUCH_VAR", raising=False)
    assert main(["create-user", "--role", "admin", "--email", "a@example.org", "--name", "A",
                 "--password-env", "NO_SUCH_VAR"]) == 2
    assert "NO_SUCH_VAR is empty" in capsys.readouterr().err
    monkeypatch.setenv("PW", "a long enough password")
    main(["create-user", "--role", "admin", "--email", "a@example.org", "--name", "A", "--password-env", "PW"])
    assert main(["create-user", "--role", "admin", "--email", "a@example.org", "--name", "A",
                 "--password-env", "PW"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_production_requires_a_secret_key(monkeypatch, capsys):
    from app_backend.config import ConfigError, load_settings

    monkeypatch.setenv("PLATFORM_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY is required"):
        load_settings()
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="at least 32"):
        load_settings()
