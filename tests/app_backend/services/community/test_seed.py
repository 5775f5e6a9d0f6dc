"""Seeding a demo from the synthetic cohort's app content (the real generator's output)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app_backend import models  # noqa: F401 - the core tables the module tables refer to
from app_backend.db import Base, make_engine, make_session_factory
from app_backend.models.community import CommunityGroup, CommunityPost
from app_backend.models.library import LibraryResource
from app_backend.services.community.seed import load_seed_file
from app_backend.services.library.store import load_catalogue_file, to_resource
from ingestion.synth.generate import SynthConfig, generate


def test_synthetic_app_content_seeds_the_library_and_the_community(tmp_path):
    generate(SynthConfig(patients=1, days=3, out=tmp_path / "synth"))
    engine = make_engine(f"sqlite:///{tmp_path / 'seed.sqlite'}")
    # A private database, so 240 catalogue items do not join the shared API tests' catalogue.
    Base.metadata.create_all(engine)
    with make_session_factory(engine)() as session:
        assert load_catalogue_file(session, tmp_path / "synth" / "app" / "resources.json") >= 200
        first = load_seed_file(session, tmp_path / "synth" / "app" / "community_posts.json")
        again = load_seed_file(session, tmp_path / "synth" / "app" / "community_posts.json")
        session.commit()
        assert first["groups"] > 0 and first["posts"] > 0 and again == {"groups": 0, "posts": 0, "replies": 0}
        assert session.scalar(select(func.count()).select_from(CommunityGroup)) == first["groups"]
        bodies = list(session.scalars(select(CommunityPost.body_html)))
        assert all(b.startswith("<p>") and "<script" not in b for b in bodies)
        items = [to_resource(r) for r in session.scalars(select(LibraryResource))]
        assert {i.language for i in items} >= {"en", "de", "fr", "es", "it", "nl", "pl"}
        assert all(i.validated_by for i in items)
        assert any(not i.is_recommendable(date(2026, 11, 1)) for i in items)  # a few reviews overdue
    engine.dispose()
