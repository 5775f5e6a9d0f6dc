"""The FastAPI application: `create_app()` wires settings, the database, limits and one router
per module. `uvicorn app_backend.main:app` serves it with settings from the environment."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from app_backend.api.limits import BodySizeLimit
from app_backend.api.routes import ROUTERS
from app_backend.config import Settings, get_settings
from app_backend.db import make_engine, make_session_factory
from app_backend.fhir.validation import FhirError, operation_outcome
from app_backend.services.accounts import AccountError

FHIR_JSON = "application/fhir+json"


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(
        title="Survivorship app backend",
        version="1.0.0",
        description="Accounts, care teams, consent and audit, and the survivor's health record "
        "as a FHIR R4 API. Sign in at /auth/token, then send Authorization: Bearer <token>.",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    # The same pool, each statement its own transaction: for read paths whose only write is an
    # audit record (committed when its INSERT returns), without BEGIN and ROLLBACK round trips.
    app.state.autocommit_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    app.state.autocommit_sessions = make_session_factory(app.state.autocommit_engine)

    @app.exception_handler(FhirError)
    async def fhir_error(request: Request, exc: FhirError):
        if request.url.path.startswith("/fhir"):
            return JSONResponse(operation_outcome(exc.message, exc.code), status_code=exc.status_code,
                                media_type=FHIR_JSON)
        return plain_error(exc.status_code, exc.message)

    @app.exception_handler(AccountError)
    async def account_error(_request: Request, exc: AccountError):
        headers = {"Retry-After": str(settings.login_window_seconds)} if exc.status_code == 429 else None
        return plain_error(exc.status_code, exc.message, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        if request.url.path.startswith("/fhir"):
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10]
            )
            return JSONResponse(operation_outcome(problems, "invalid"), 422, media_type=FHIR_JSON)
        return await request_validation_exception_handler(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/fhir"):
            code = {401: "login", 403: "forbidden", 404: "not-found"}.get(exc.status_code, "processing")
            return JSONResponse(
                operation_outcome(str(exc.detail), code), exc.status_code,
                headers=getattr(exc, "headers", None), media_type=FHIR_JSON,
            )
        return await http_exception_handler(request, exc)

    for router in ROUTERS:
        app.include_router(router)
    app.openapi = _openapi_with_error_shapes(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=list(settings.cors_origins),
            allow_methods=["*"], allow_headers=["*"],
        )
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_request_bytes, max_import_bytes=settings.max_import_bytes
    )
    return app


def plain_error(status_code: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status_code, headers=headers)


def _openapi_with_error_shapes(app: FastAPI):
    """A 422 carries FastAPI's list of field problems, or one sentence for a rule the request
    breaks as a whole (e.g. "an account with this email already exists"): document both."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            error = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
            if error is not None:
                detail = error["properties"]["detail"]
                error["properties"]["detail"] = {
                    "title": "Detail",
                    "anyOf": [{k: v for k, v in detail.items() if k != "title"}, {"type": "string"}],
                }
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi


def __getattr__(name: str):
    # `uvicorn app_backend.main:app`: build the app lazily so importing this module has no effects.
    if name == "app":
        return create_app()
    raise AttributeError(name)
