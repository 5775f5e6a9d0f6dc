"""Liveness and readiness: no authentication, no personal data."""

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from app_backend.api.deps import SessionDep

router = APIRouter(tags=["health"])


class HealthOut(BaseModel):
    status: str
    database: str


@router.get("/health", response_model=HealthOut)
def health(session: SessionDep) -> HealthOut:
    session.execute(text("select 1"))
    return HealthOut(status="ok", database="ok")
