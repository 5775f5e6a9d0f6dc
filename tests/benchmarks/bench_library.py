"""Offline evaluation of the library's recommender against popularity baselines.

Data: the synthetic cohort's app content, made by the same code as `python -m ingestion synth`
(app/resources.json and app/interactions.csv, read back through the library's loaders), for
--patients survivors over --days. Each reader's profile is what the app knows: language, cancer
type, treatment phase, and their current state scored from their own synthetic PROM answers
authored before the hold-out point. Their latent interests stay hidden.

Per-reader temporal hold-out: each reader's most recently valued items are hidden. Figures:
precision@5 and catalogue coverage for the hybrid recommender, for "most popular unseen items"
(the baseline) and for "most popular in the reader's language" (a stronger baseline), with ratios.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app_backend.config import Settings
from app_backend.services.library.behaviour import fit
from app_backend.services.library.catalogue import resource_from_dict
from app_backend.services.library.evaluation import evaluate, load_interactions_csv, temporal_split
from app_backend.services.library.needs import current_needs
from app_backend.services.library.recommender import Reader, popularity_baseline, recommend
from app_backend.services.library.state import score_response

K = 5


def _synthetic_app_content(patients: int, days: int, seed: int, out: Path):
    """App content and each survivor's profile and PROM history, as the cohort generator makes them."""
    from ingestion.synth.app_content import AppContent, patient_phase
    from ingestion.synth.cohort import make_patient
    from ingestion.synth.episodes import plan_episodes
    from ingestion.synth.fhir_observations import questionnaire_response
    from ingestion.synth.generate import DEFAULT_END_DATE
    from ingestion.synth.proms import PromGenerator

    window_start = DEFAULT_END_DATE - timedelta(days=days)
    app = AppContent(out, seed, window_start, days)
    profiles, proms = {}, {}
    for index in range(patients):
        patient = make_patient(seed, index, window_start)
        episodes = plan_episodes(seed, index, days)
        app.add_patient(patient, episodes)
        profiles[patient.patient_id] = (patient.language, patient.cancer, patient_phase(patient, window_start))
        proms[patient.patient_id] = [
            questionnaire_response(response, patient.patient_id, f"qr-{n}")
            for n, (_, response) in enumerate(PromGenerator(patient, seed, window_start, episodes).responses(days))
        ]
    app.close()
    catalogue = [resource_from_dict(raw) for raw in json.loads((out / "resources.json").read_text("utf-8"))]
    return catalogue, load_interactions_csv(out / "interactions.csv"), profiles, proms, DEFAULT_END_DATE


def _state_before(responses: list[dict], cutoff: datetime, catalogue_dir: Path):
    """Needs from each instrument's latest answers authored before the cutoff (no peeking ahead)."""
    latest: dict[str, dict] = {}
    for response in responses:
        authored = datetime.fromisoformat(response["authored"])
        if authored < cutoff:
            url = response["questionnaire"]
            if url not in latest or authored > datetime.fromisoformat(latest[url]["authored"]):
                latest[url] = response
    return tuple(current_needs(s for r in latest.values() for s in score_response(catalogue_dir, r)))


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=600)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    catalogue_dir = Settings().catalogue_dir
    with tempfile.TemporaryDirectory(prefix="bench-library-") as tmp:
        catalogue, interactions, profiles, proms, end = _synthetic_app_content(
            args.patients, args.days, args.seed, Path(tmp))
    today = end - timedelta(days=1)
    split = temporal_split(interactions)
    # Peer groups by cancer type, as the app knows them from readers' stated profiles.
    model = fit(split.train, segments={u: cancer for u, (_, cancer, _) in profiles.items()})
    cutoffs: dict[str, datetime] = defaultdict(lambda: datetime.max.replace(tzinfo=UTC))
    for event in interactions:
        if event.resource_id in split.held_out.get(event.user_id, ()):
            cutoffs[event.user_id] = min(cutoffs[event.user_id], event.at)
    readers = {
        user_id: Reader(user_id, languages=(language,), cancer_type=cancer, phase=phase,
                        needs=_state_before(proms[user_id], cutoffs[user_id], catalogue_dir))
        for user_id, (language, cancer, phase) in profiles.items() if user_id in split.held_out
    }
    recommendable_ids = [item.id for item in catalogue if item.is_recommendable(today)]

    started = time.perf_counter()
    hybrid = evaluate(split, lambda u: [r.resource.id for r in recommend(catalogue, readers[u], model, today, K)],
                      recommendable_ids, K)
    seconds = time.perf_counter() - started
    popular = evaluate(split, lambda u: [i.id for i in popularity_baseline(catalogue, u, model, today, K)],
                       recommendable_ids, K)
    by_language = {lang: [i for i in catalogue if i.language == lang] for lang in {i.language for i in catalogue}}
    popular_lang = evaluate(
        split, lambda u: [i.id for i in popularity_baseline(by_language[readers[u].languages[0]], u, model, today, K)],
        recommendable_ids, K)

    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 2) if b else None

    p_key = f"precision_at_{K}"
    figures = {
        "data": f"synthetic cohort app content ({args.patients} patients, {args.days} days, seed {args.seed})",
        "items": len(catalogue),
        "recommendable_items": len(recommendable_ids),
        "interactions": len(interactions),
        "readers_evaluated": hybrid["readers"],
        "readers_with_current_needs": sum(1 for r in readers.values() if r.needs),
        "precision_at_5": round(hybrid[p_key], 4),
        "precision_at_5_popularity": round(popular[p_key], 4),
        "precision_at_5_popularity_in_language": round(popular_lang[p_key], 4),
        "precision_ratio_vs_popularity": ratio(hybrid[p_key], popular[p_key]),
        "precision_ratio_vs_popularity_in_language": ratio(hybrid[p_key], popular_lang[p_key]),
        "coverage": round(hybrid["coverage"], 4),
        "coverage_popularity": round(popular["coverage"], 4),
        "coverage_popularity_in_language": round(popular_lang["coverage"], 4),
        "coverage_ratio_vs_popularity": ratio(hybrid["coverage"], popular["coverage"]),
        "ms_per_reader": round(1000 * seconds / max(hybrid["readers"], 1), 3),
    }
    print(f"data: {figures['data']}: {len(catalogue)} items, {len(interactions)} interactions, "
          f"{hybrid['readers']} readers with held-out items ({figures['readers_with_current_needs']} with current needs)")
    print(f"precision@5  hybrid {hybrid[p_key]:.3f} | popularity {popular[p_key]:.3f} "
          f"({figures['precision_ratio_vs_popularity']}x) | popularity in language {popular_lang[p_key]:.3f} "
          f"({figures['precision_ratio_vs_popularity_in_language']}x)")
    print(f"coverage     hybrid {hybrid['coverage']:.3f} | popularity {popular['coverage']:.3f} "
          f"({figures['coverage_ratio_vs_popularity']}x) | popularity in language {popular_lang['coverage']:.3f}")
    print(f"recommend    {figures['ms_per_reader']} ms per reader")
    return figures


if __name__ == "__main__":
    main()
