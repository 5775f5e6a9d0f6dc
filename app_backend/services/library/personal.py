"""Recommendations for one signed-in reader: their preferences, profile, current PROM state and
everyone's behaviour, put together for the recommender."""

from __future__ import annotations

import threading
import time
from collections import ChainMap
from dataclasses import replace
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from app_backend.models import Role, User
from app_backend.services.library import store
from app_backend.services.library.behaviour import BehaviourModel, fit
from app_backend.services.library.catalogue import resource_to_dict
from app_backend.services.library.needs import current_needs
from app_backend.services.library.recommender import Reader, Recommendation, recommend
from app_backend.services.library.state import latest_scale_scores


def reader_for(session: Session, user: User, catalogue_dir: Path, today: date) -> Reader:
    preferences = store.get_preferences(session, user.id)
    needs = ()
    # Only a patient's own answers set their state; a caregiver reads as a caregiver.
    if user.role == Role.patient and user.patient_id:
        needs = tuple(current_needs(latest_scale_scores(session, user.patient_id, catalogue_dir, today)))
    return Reader(
        user_id=str(user.id),
        languages=tuple(preferences.languages or ()),
        audience="caregiver" if user.role == Role.caregiver else "patient",
        cancer_type=preferences.cancer_type,
        phase=preferences.phase,
        preferred_topics=tuple(preferences.topics or ()),
        preferred_formats=tuple(preferences.formats or ()),
        needs=needs,
    )


# Everyone's behaviour changes slowly and fitting it costs up to a second at the interaction cap,
# so each process refits at most this often; the reader's own history is always read fresh.
MODEL_TTL_SECONDS = 300
_model_cache: dict[tuple[int, str], tuple[float, BehaviourModel]] = {}
_model_lock = threading.Lock()


def shared_model(session: Session) -> BehaviourModel:
    bind = session.get_bind()
    key = (id(bind), str(bind.url))  # one cache per database engine
    now = time.monotonic()
    cached = _model_cache.get(key)
    if cached is not None and now - cached[0] < MODEL_TTL_SECONDS:
        return cached[1]
    with _model_lock:
        cached = _model_cache.get(key)
        if cached is None or now - cached[0] >= MODEL_TTL_SECONDS:
            cached = (now, fit(store.recent_interactions(session), segments=store.reader_segments(session)))
            _model_cache[key] = cached
    return cached[1]


def model_for(session: Session, user_id: int) -> BehaviourModel:
    """The shared model, with this reader's own history exactly as it is now."""
    model = shared_model(session)
    own = fit(store.interactions_of(session, user_id)).affinity.get(str(user_id), {})
    return replace(model, affinity=ChainMap({str(user_id): own}, model.affinity))


def recommendations_for(
    session: Session, user: User, catalogue_dir: Path, today: date, limit: int = 5
) -> tuple[Reader, list[Recommendation]]:
    reader = reader_for(session, user, catalogue_dir, today)
    model = model_for(session, user.id)
    return reader, recommend(store.active_catalogue(session), reader, model, today, limit)


def recommendation_out(recommendation: Recommendation) -> dict:
    return {
        "resource": resource_to_dict(recommendation.resource),
        "score": round(recommendation.score, 3),
        "reasons": [{"code": r.code, "text": r.text} for r in recommendation.reasons],
    }
