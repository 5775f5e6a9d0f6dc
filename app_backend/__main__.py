"""Command line: `python -m app_backend {serve,migrate,create-user}`.

Passwords never come from the command line (they would sit in shell history and `ps`):
create-user reads the one named by --password-env from the environment.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys

from app_backend.config import ConfigError, get_settings

# The account roles, without importing the models (and SQLAlchemy) before a command needs them.
ROLE_NAMES = ("patient", "caregiver", "clinician", "analyst", "moderator", "admin", "service")


def _serve(args) -> int:
    import uvicorn

    settings = get_settings()  # fail fast, with one clear line, on bad configuration
    workers = settings.web_concurrency if args.workers is None else args.workers
    if workers < 1:
        raise ConfigError(f"the number of workers must be at least 1, got {workers}")
    if not os.environ.get("SECRET_KEY"):
        # Development: one random key shared by every worker, or a token signed by one worker
        # would be refused by the next. Production refuses to start without SECRET_KEY (above).
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(32)
    if args.migrate:
        _migrate(args)
    uvicorn.run("app_backend.main:app", host=args.host, port=args.port, workers=workers,
                log_level=args.log_level, proxy_headers=True)
    return 0


def _migrate(_args) -> int:
    from app_backend.db import make_engine, migrate

    settings = get_settings()
    migrate(make_engine(settings.database_url))
    print(f"database schema is up to date ({settings.database_url.split('@')[-1]})")
    return 0


def _create_user(args) -> int:
    from app_backend.db import make_engine, make_session_factory
    from app_backend.services.accounts import AccountError, create_user

    password = os.environ.get(args.password_env)
    if not password:
        raise ConfigError(f"environment variable {args.password_env} is empty: export the password there")
    if len(password) < 10:
        raise ConfigError("the password must be at least 10 characters long")
    settings = get_settings()
    with make_session_factory(make_engine(settings.database_url))() as session:
        try:
            user = create_user(session, email=args.email, password=password, name=args.name,
                               role=args.role, birth_date=args.birth_date)
        except AccountError as exc:
            raise ConfigError(exc.message) from None
        session.commit()
        print(f"created {user.role} {user.email} (id {user.id}"
              + (f", Patient/{user.patient_id}" if user.patient_id else "") + ")")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app_backend", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API server (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int,
                       help="uvicorn worker processes (default: $WEB_CONCURRENCY, else 1; with more than "
                       "one, set TELEHEALTH_REDIS_URL so live telehealth events reach every worker)")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--no-migrate", dest="migrate", action="store_false",
                       help="do not apply pending migrations before serving")
    serve.set_defaults(func=_serve)
    sub.add_parser("migrate", help="apply every module's migrations (alembic upgrade heads)").set_defaults(
        func=_migrate)
    user = sub.add_parser("create-user", help="create an account (e.g. the first admin)")
    user.add_argument("--role", required=True,
                      choices=list(ROLE_NAMES))
    user.add_argument("--email", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--password-env", required=True, metavar="VAR",
                      help="name of the environment variable holding the password")
    user.add_argument("--birth-date", help="YYYY-MM-DD (patients)")
    user.set_defaults(func=_create_user)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
