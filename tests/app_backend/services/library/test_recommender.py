from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app_backend.services.library.behaviour import Interaction, fit
from app_backend.services.library.catalogue import CatalogueError, Resource, resource_from_dict
from app_backend.services.library.evaluation import evaluate, temporal_split
from app_backend.services.library.needs import ScaleScore, current_needs
from app_backend.services.library.recommender import Reader, popularity_baseline, recommend
from tests.app_backend.services.library import synthetic_library as synthetic

TODAY = date(2026, 6, 1)
T0 = datetime(2026, 5, 1, tzinfo=UTC)


def item(item_id, topics, **kwargs) -> Resource:
    defaults = {
        "title": f"Title {item_id}", "format": "article", "language": "en", "audience": ("patient", "caregiver"),
        "validated_by": "Dr. A", "validated_on": date(2026, 1, 1), "next_review": date(2027, 1, 1),
    }
    defaults.update(kwargs)
    return Resource(id=item_id, topics=tuple(topics), **defaults)


def ids(recommendations) -> list[str]:
    return [r.resource.id for r in recommendations]


def test_expired_and_unvalidated_items_are_never_recommended():
    catalogue = [
        item("expired", ["fatigue"], next_review=TODAY - timedelta(days=1)),
        item("no-reviewer", ["fatigue"], validated_by=None),
        item("no-date", ["fatigue"], validated_on=None),
        item("no-review-date", ["fatigue"], next_review=None),
        item("current", ["fatigue"]),
    ]
    reader = Reader("u1", preferred_topics=("fatigue",))
    model = fit([Interaction("u2", i.id, "complete", T0) for i in catalogue])
    assert ids(recommend(catalogue, reader, model, TODAY, limit=10)) == ["current"]
    assert [i.id for i in popularity_baseline(catalogue, "u1", model, TODAY, 10)] == ["current"]


def test_hard_filters_language_audience_cancer_type_and_phase():
    catalogue = [
        item("german", ["pain"], language="de"),
        item("clinicians-only", ["pain"], audience=("clinician",)),
        item("prostate", ["pain"], cancer_types=("prostate",)),
        item("advanced-only", ["pain"], phases=("advanced",)),
        item("breast", ["pain"], cancer_types=("breast",)),
        item("general", ["pain"]),
    ]
    reader = Reader("u1", languages=("en",), cancer_type="breast", phase="post-treatment")
    assert set(ids(recommend(catalogue, reader, fit([]), TODAY, limit=10))) == {"breast", "general"}


def test_high_fatigue_score_brings_fatigue_resources_first_with_a_reason():
    catalogue = [item("nutrition", ["nutrition"]), item("fatigue", ["fatigue", "physical-activity"])]
    needs = current_needs([ScaleScore("qlq-c30", "FA", 66.7), ScaleScore("qlq-c30", "PF", 90)])
    assert [n.topic for n in needs] == ["fatigue"]
    top = recommend(catalogue, Reader("u1", needs=tuple(needs)), fit([]), TODAY)[0]
    assert top.resource.id == "fatigue"
    assert top.reasons[0].code == "current_state"
    assert "fatigue" in top.reasons[0].text


def test_need_thresholds_come_from_the_alert_catalogue_and_the_rules_file():
    assert current_needs([ScaleScore("phq-9", "total", 9)]) == []
    assert [n.topic for n in current_needs([ScaleScore("phq-9", "total", 10)])] == ["emotional-wellbeing"]
    assert [n.topic for n in current_needs([ScaleScore("gad-7", "total", 12)])] == ["anxiety"]
    assert current_needs([ScaleScore("esas-r", "tiredness", 3)]) == []
    assert [n.topic for n in current_needs([ScaleScore("esas-r", "tiredness", 4)])] == ["fatigue"]
    # Functional scales point the other way: low emotional functioning is the concern.
    assert [n.topic for n in current_needs([ScaleScore("qlq-c30", "EF", 50)])] == ["emotional-wellbeing"]
    worse, milder = current_needs([ScaleScore("qlq-c30", "FA", 100), ScaleScore("qlq-c30", "PA", 26)])
    assert (worse.topic, milder.topic) == ("fatigue", "pain") and worse.strength > milder.strength


def test_stated_preferences_and_profile_give_readable_reasons():
    catalogue = [
        item("sleep-podcast", ["sleep"], format="podcast"),
        item("breast-work", ["return-to-work"], cancer_types=("breast",)),
        item("other", ["finances"]),
    ]
    reader = Reader("u1", cancer_type="breast", preferred_topics=("sleep",), preferred_formats=("podcast",))
    recs = {r.resource.id: r for r in recommend(catalogue, reader, fit([]), TODAY)}
    assert [r.code for r in recs["sleep-podcast"].reasons] == ["preferred_topic", "preferred_format"]
    assert recs["sleep-podcast"].reasons[0].text == "You asked for resources about sleep."
    assert recs["breast-work"].reasons[0].text == "Written for people with breast cancer."
    # Nothing known about "other": the reason says who checked it, never nothing.
    assert recs["other"].reasons[0].code == "validated"
    assert "Dr. A" in recs["other"].reasons[0].text


def test_behaviour_co_occurrence_and_seen_items():
    catalogue = [item("a", ["fatigue"]), item("b", ["finances"]), item("c", ["body-image"])]
    events = [Interaction(f"peer{n}", i, "complete", T0) for n in range(3) for i in ("a", "b")]
    events += [Interaction("peer9", "c", "complete", T0), Interaction("peer8", "c", "view", T0)]
    events.append(Interaction("u1", "a", "rate", T0, rating=5))
    recs = recommend(catalogue, Reader("u1"), fit(events), TODAY)
    assert ids(recs)[0] == "b"
    assert "a" not in ids(recs)  # already read
    assert recs[0].reasons[0].code == "co_occurrence"
    assert "\u201cTitle a\u201d" in recs[0].reasons[0].text


def test_peers_with_the_same_cancer_type_count_more_than_everyone():
    catalogue = [item("crowd", ["pain"]), item("peers", ["pain"])]
    events = [Interaction(f"p{n}", "crowd", "complete", T0) for n in range(6)]
    events += [Interaction(f"b{n}", "peers", "complete", T0) for n in range(3)]
    segments = {f"b{n}": "breast" for n in range(3)} | {f"p{n}": "prostate" for n in range(6)}
    recs = recommend(catalogue, Reader("u1", cancer_type="breast"), fit(events, segments=segments), TODAY)
    assert ids(recs)[0] == "peers"
    assert recs[0].reasons[0].text == "Valued by other survivors of breast cancer."


def test_dismissed_and_badly_rated_items_do_not_count_as_taste():
    model = fit([Interaction("u1", "a", "rate", T0, rating=1), Interaction("u1", "b", "dismiss", T0)])
    assert model.valued("u1") == {}
    assert model.seen("u1") == {"a", "b"}


def test_cold_start_ranks_by_popularity_within_the_profile():
    catalogue = [item("quiet", ["pain"]), item("popular", ["pain"])]
    model = fit([Interaction(f"p{n}", "popular", "complete", T0) for n in range(5)])
    recs = recommend(catalogue, Reader("newcomer"), model, TODAY)
    assert ids(recs) == ["popular", "quiet"]
    assert recs[0].reasons[0].code == "popular"


def test_catalogue_items_are_checked_when_read():
    raw = {"id": "r1", "title": "Sleep well", "format": "podcast", "language": "fr",
           "topics": ["sleep"], "validation": {"validated_by": "Dr B", "validated_on": "2026-01-02",
                                               "next_review": "2027-01-02"}}
    parsed = resource_from_dict(raw)
    assert parsed.is_recommendable(TODAY) and parsed.validated_by == "Dr B"
    with pytest.raises(CatalogueError, match="format must be one of"):
        resource_from_dict({**raw, "format": "tiktok"})
    with pytest.raises(CatalogueError, match="validated_on must be a date"):
        resource_from_dict({**raw, "validated_on": "yesterday"})


def test_offline_evaluation_beats_popularity_on_synthetic_readers():
    catalogue = synthetic.make_catalogue(120)
    people = synthetic.make_readers(150)
    split = temporal_split(synthetic.make_interactions(catalogue, people))
    model = fit(split.train)
    readers = {p.user_id: Reader(p.user_id, languages=(p.language,), cancer_type=p.cancer_type) for p in people}
    ids_ok = [i.id for i in catalogue if i.is_recommendable(synthetic.TODAY)]
    hybrid = evaluate(split, lambda u: ids(recommend(catalogue, readers[u], model, synthetic.TODAY)), ids_ok)
    baseline = evaluate(split, lambda u: [i.id for i in popularity_baseline(catalogue, u, model, synthetic.TODAY)], ids_ok)
    assert hybrid["precision_at_5"] > baseline["precision_at_5"]
    assert hybrid["coverage"] > 3 * baseline["coverage"]
    # No held-out item ever leaks into training.
    trained = {(e.user_id, e.resource_id) for e in split.train}
    assert not any((u, i) in trained for u, items in split.held_out.items() for i in items)
