"""Benchmark of the dbt project against the synthetic ground truth.

Generates a cohort (`python -m ingestion synth`), loads it (`python -m ingestion load`), holds back the
last day of readings and responses, runs a full `dbt build`, then loads that day and runs `dbt build`
again (the incremental run). Reports, per alert rule, the share of injected episodes the rule caught
(aim: 95 % or more), false alerts outside episodes per 10 patient-months (aim: at most 1), the alert
rate per questionnaire set (published: 7.8 % to 34 %), the full build time and the incremental/full
time ratio (aim: at most 0.2).

    .venv/bin/python tests/benchmarks/bench_dbt.py --patients 200 --days 365
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "dbt_project"
PYTHON = sys.executable
# Derived alerts are judged through the alerts they are made of.
DERIVED_RULES = {"MULTI-MEDIUM", "ESCALATE"}


def run(cmd: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def dbt_build(work: Path, env: dict) -> tuple[float, float]:
    """(wall seconds, dbt's own elapsed seconds) of one `dbt build`."""
    target = work / "target"
    wall = run(
        [str(Path(PYTHON).parent / "dbt"), "build", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
         "--target-path", str(target), "--log-path", str(work / "logs"), "--quiet",
         # unit tests check the SQL, not the data: CI runs them, a data run need not
         "--exclude", "test_type:unit"],
        env,
    )
    elapsed = json.loads((target / "run_results.json").read_text())["elapsed_time"]
    return wall, elapsed


HOLD_BACK_SQL = """
create schema if not exists bench;
create or replace table bench.held_devices as
    select * from raw.device_observations where cast(effective_start as date) >= {day};
delete from raw.device_observations where content_hash in (select content_hash from bench.held_devices);
create or replace table bench.held_fhir as
    select * from raw.fhir_resources
    where resource_type in ('Observation', 'QuestionnaireResponse')
      and cast(left(coalesce(resource->>'$.effectiveDateTime', resource->>'$.authored'), 10) as date) >= {day};
delete from raw.fhir_resources where content_hash in (select content_hash from bench.held_fhir);
"""

RELEASE_SQL = """
insert into raw.device_observations
    select * replace (now() + interval 1 minute as loaded_at) from bench.held_devices;
insert into raw.fhir_resources
    select * replace (now() + interval 1 minute as loaded_at) from bench.held_fhir;
drop schema bench cascade;
"""


def evaluate(warehouse: Path, episodes_csv: Path, days: int, n_patients: int) -> dict:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        alerts = con.sql(
            """
            select identity.patient_id, alerts.rule_id, cast(alerts.episode_start as date) as first_day,
                   cast(alerts.episode_end as date) as last_day
            from marts.alerts as alerts
            inner join identity.patient_identity as identity using (patient_key)
            """
        ).fetchall()
        question_sets = con.sql(
            """
            select instrument, sum(n_questionnaires), sum(n_meeting_rule), sum(n_opening_alert)
            from marts.alert_rate_by_questionnaire group by instrument
            """
        ).fetchall()
    episodes = list(csv.DictReader(episodes_csv.open()))
    by_patient = defaultdict(list)
    for episode in episodes:
        by_patient[episode["patient_id"]].append(
            (date.fromisoformat(episode["start"]), date.fromisoformat(episode["end"]), episode)
        )
    fired = defaultdict(list)
    for patient_id, rule_id, first_day, last_day in alerts:
        fired[(patient_id, rule_id)].append((first_day, last_day))

    expected, caught = defaultdict(int), defaultdict(int)
    for episode in episodes:
        start, end = date.fromisoformat(episode["start"]), date.fromisoformat(episode["end"])
        for rule in filter(None, episode["expected_rules"].split(";")):
            expected[rule] += 1
            if any(a <= end and b >= start for a, b in fired[(episode["patient_id"], rule)]):
                caught[rule] += 1

    false_alerts = defaultdict(int)
    for patient_id, rule_id, first_day, last_day in alerts:
        if rule_id in DERIVED_RULES:
            continue
        slack = timedelta(days=1)
        inside = any(start - slack <= first_day <= end + slack for start, end, _ in by_patient[patient_id])
        if not inside:
            false_alerts[rule_id] += 1
    patient_months = n_patients * days / 30.44
    rates = {row[0]: {"questionnaires": int(row[1]), "meeting_rule": row[2] / row[1], "opening_alert": row[3] / row[1]}
             for row in question_sets}
    return {
        "episode_recall_per_rule": {rule: round(caught[rule] / expected[rule], 3) for rule in sorted(expected)},
        "episode_recall_overall": round(sum(caught.values()) / max(sum(expected.values()), 1), 3),
        "false_alerts_per_10_patient_months": round(10 * sum(false_alerts.values()) / patient_months, 3),
        "false_alerts_per_rule": dict(sorted(false_alerts.items())),
        "alert_rate_per_questionnaire": rates,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--work", type=Path, default=None, help="keep the cohort and warehouse here")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-dbt-"))
    work.mkdir(parents=True, exist_ok=True)
    cohort, warehouse = work / "cohort", work / "warehouse.duckdb"
    env = {**os.environ, "WAREHOUSE_PATH": str(warehouse), "PLATFORM_ROOT": str(REPO), "PYTHONPATH": str(REPO)}
    env.setdefault("PLATFORM_ENV", "benchmark")

    synth_s = run([PYTHON, "-m", "ingestion", "synth", "--patients", str(args.patients), "--days", str(args.days),
                   "--out", str(cohort), "--seed", str(args.seed), "--no-app-content", "--quiet"], env)
    load_s = run([PYTHON, "-m", "ingestion", "load", str(cohort / "fhir"), str(cohort / "devices"),
                  "--warehouse", str(warehouse)], env)

    import duckdb

    with duckdb.connect(str(warehouse)) as con:
        last_day = con.execute("select max(cast(effective_start as date)) from raw.device_observations").fetchone()[0]
        con.execute(HOLD_BACK_SQL.format(day=f"date '{last_day}'"))
    full_wall, full_dbt = dbt_build(work, env)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(RELEASE_SQL)
    incr_wall, incr_dbt = dbt_build(work, env)

    report = {
        "patients": args.patients,
        "days": args.days,
        "synth_s": round(synth_s, 1),
        "load_s": round(load_s, 1),
        "full_build_wall_s": round(full_wall, 1),
        "full_build_dbt_s": round(full_dbt, 1),
        "incremental_build_wall_s": round(incr_wall, 1),
        "incremental_build_dbt_s": round(incr_dbt, 1),
        "incremental_to_full_ratio": round(incr_dbt / full_dbt, 3),
        **evaluate(warehouse, cohort / "ground_truth" / "episodes.csv", args.days, args.patients),
    }
    print(json.dumps(report, indent=2, default=str))
    return report


if __name__ == "__main__":
    main()
