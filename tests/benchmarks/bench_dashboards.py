"""Dashboard page render time on a 10,000-patient synthetic snapshot, against the same pages on an
empty snapshot (the baseline: Streamlit, layout and the sign-in checks alone).

Each page is rendered with streamlit's AppTest in a signed-in session: first render (cold caches:
queries, and for cohort pages the suppressed cube of the whole snapshot), then REPEATS renders,
each in a new session (warm caches, as for the second user of a published snapshot). Target:
median render at most 1 s. Options: --patients N --days D --repeats R.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "dashboards")]

APP = str(REPO / "dashboards" / "app.py")
PASSWORD = "benchmark-password-0123"
PAGES = [  # (name, role, page file, outcome view)
    ("worklist", "clinician", "app_pages/worklist.py", None),
    ("patient_view", "clinician", "app_pages/patient_view.py", None),
    ("outcomes_qol", "analyst", "app_pages/cohort_outcomes.py", "QoL trajectories"),
    ("outcomes_symptom_burden", "analyst", "app_pages/cohort_outcomes.py", "Symptom burden"),
    ("outcomes_adherence", "analyst", "app_pages/cohort_outcomes.py", "Adherence"),
    ("outcomes_alert_burden", "analyst", "app_pages/cohort_outcomes.py", "Alert burden"),
    ("data_quality", "analyst", "app_pages/data_quality.py", None),
]


def _session(role: str, components: dict):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=300)
    if "manager" in components:
        at._bidi_component_manager = components["manager"]  # the package scan is per instance
    at.run()
    components.setdefault("manager", at._bidi_component_manager)
    at.text_input[0].input(f"{role}@bench.example")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    return at


def _render(role: str, page: str, view: str | None, components: dict) -> float:
    at = _session(role, components)
    at.switch_page(page)
    if view:
        at.session_state["outcome_view"] = view
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"{page} raised: {at.exception[0].value}")
    return elapsed


def _measure(snapshot_dir: Path, repeats: int, components: dict) -> dict:
    os.environ["SNAPSHOT_DIR"] = str(snapshot_dir)
    figures = {}
    # Signing in lands on the role's first page (worklist; cohort outcomes, QoL view), so that
    # page's cold render happens here: timed as the first sign-in of each role.
    for role in ("clinician", "analyst"):
        started = time.perf_counter()
        _session(role, components)
        figures[f"first_sign_in_{role}"] = {"cold_s": round(time.perf_counter() - started, 3)}
    for name, role, page, view in PAGES:
        cold = _render(role, page, view, components)
        warm = [_render(role, page, view, components) for _ in range(repeats)]
        figures[name] = {"cold_s": round(cold, 3), "median_s": round(statistics.median(warm), 3)}
    return figures


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from stub_backend import StubBackend

    from dashboards.demo_snapshot import build_snapshot

    stub = StubBackend()
    stub.add_user("clinician@bench.example", PASSWORD, "clinician", "Dr Bench")
    stub.add_user("analyst@bench.example", PASSWORD, "analyst", "Ana Bench")
    stub.care_teams["clinician@bench.example"] = [
        {"patient_id": f"pat-{i:05d}", "team": "Oncology follow-up", "team_id": 1} for i in range(1, 41)
    ]
    stub.start()
    os.environ["BACKEND_URL"] = stub.url
    components: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-dashboards-") as tmp:
        started = time.perf_counter()
        full = build_snapshot(Path(tmp) / "full", patients=args.patients, days=args.days, name="bench")
        build_s = time.perf_counter() - started
        empty = build_snapshot(Path(tmp) / "empty", patients=0, days=1, name="empty")
        _render("analyst", "app_pages/data_quality.py", None, components)  # imports, once
        baseline = _measure(empty, args.repeats, components)
        loaded = _measure(full, args.repeats, components)
    stub.stop()

    print(f"snapshot: {args.patients} patients x {args.days} days, generated in {build_s:.1f} s")
    print(f"{'page':26} {'median':>8} {'empty':>8} {'ratio':>6} {'cold':>8}")
    pages = {}
    for role in ("clinician", "analyst"):
        print(f"first sign-in of a {role} (lands on their first page, cold): "
              f"{loaded[f'first_sign_in_{role}']['cold_s']:.2f} s")
    for name, *_ in PAGES:
        median, base = loaded[name]["median_s"], baseline[name]["median_s"]
        ratio = median / base if base else float("nan")
        pages[name] = {**loaded[name], "empty_median_s": base, "ratio_to_empty": round(ratio, 2)}
        print(f"{name:26} {median:7.3f}s {base:7.3f}s {ratio:5.1f}x {loaded[name]['cold_s']:7.2f}s")
    worst = max(p["median_s"] for p in pages.values())
    overall = statistics.median(p["median_s"] for p in pages.values())
    print(f"median page render {overall:.3f} s (worst page {worst:.3f} s); target <= 1 s: "
          f"{'met' if worst <= 1 else 'NOT met'}")
    return {"patients": args.patients, "days": args.days, "snapshot_build_s": round(build_s, 1),
            "median_page_render_s": overall, "worst_page_median_s": worst,
            "target_met": worst <= 1.0, "pages": pages,
            "first_sign_in_cold_s": {r: loaded[f"first_sign_in_{r}"]["cold_s"] for r in ("clinician", "analyst")}}


if __name__ == "__main__":
    main()
