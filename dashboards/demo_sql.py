"""The SQL that generates the synthetic snapshot (see demo_snapshot.py). Randomness is hash-based,
so the same seed and reference day always give the same rows, whatever DuckDB's thread count."""

from __future__ import annotations

from dashboards.catalogue import Catalogue

CENTRES = ["BE-ANT", "DE-HEI", "FR-LYO", "IT-MIL", "NL-AMS", "ES-BCN"]
COUNTRIES = ["BE", "DE", "FR", "IT", "NL", "ES"]
# Cumulative shares of survivors by cancer type (roughly European survivorship proportions).
CANCERS = [("breast", 0.30), ("prostate", 0.48), ("colorectal", 0.63), ("haematological", 0.75),
           ("lung", 0.85), ("head-and-neck", 0.93), ("melanoma", 1.0)]  # fmt: skip
METRICS = [  # metric, LOINC, UCUM unit, typical value, between-person spread (share), daily noise
    ("steps", "55423-8", "/d", 6500.0, 0.3, 1800.0),
    ("resting_heart_rate", "40443-4", "/min", 68.0, 0.1, 4.0),
    ("body_temperature", "8310-5", "Cel", 36.7, 0.004, 0.2),
    ("oxygen_saturation", "2708-6", "%", 97.0, 0.01, 1.0),
    ("body_weight", "29463-7", "kg", 74.0, 0.2, 0.4),
]
FUNCTIONAL = ["QL", "PF", "RF", "EF", "CF", "SF"]
SYMPTOMS = ["FA", "NV", "PA", "DY", "SL", "AP", "CO", "DI", "FI"]
CTCAE = ["fatigue", "pain", "nausea"]


def u(*parts: str, seed: int) -> str:
    """SQL for a deterministic uniform number in [0, 1) from the seed and the given expressions."""
    return f"((hash({', '.join(parts)}, {seed}) % 1000003) / 1000003.0)"


def _list(values) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def mart_statements(s: dict) -> list[str]:
    n, days, seed, today = s["n"], s["days"], s["seed"], s["today"]
    cancer = " ".join(f"when u_c < {share} then '{name}'" for name, share in CANCERS)
    metrics = ", ".join(f"('{m}', '{c}', '{un}', {t}, {sp}, {z})" for m, c, un, t, sp, z in METRICS)
    k = len(CENTRES)
    return [
        "create schema marts; create schema omop; create schema quality;",
        f"""create table marts.patients as
        with base as (
            select i, {u("i", "'c'", seed=seed)} as u_c, {u("i", "'s'", seed=seed)} as u_s,
                   {u("i", "'m'", seed=seed)} as u_m, {u("i", "'a'", seed=seed)} as u_a,
                   {u("i", "'t'", seed=seed)} as u_t, {u("i", "'t2'", seed=seed)} as u_t2
            from range(1, {n} + 1) t(i))
        select substr(md5('demo-key-' || i || '-' || {seed}), 1, 20) as patient_key, i as _i,
               {_list(CENTRES)}[1 + (i * 7 + {seed}) % {k}] as centre_id,
               {_list(COUNTRIES)}[1 + (i * 7 + {seed}) % {k}] as country,
               case {cancer} end as cancer_type,
               ['I', 'II', 'III', 'IV'][1 + floor(u_s * u_s * 4)::int] as stage,
               ['18-39', '40-49', '50-59', '60-69', '70-79', '80+'][1 + floor(u_a * 6)::int] as age_band,
               (1 + floor(u_m * u_m * 96))::int as months_since_diagnosis,
               (date '{today}' - to_days(((1 + floor(u_m * u_m * 96)) * 30.4)::int))::date
                   as diagnosis_date,
               list_concat(
                   case when u_t < 0.72 then ['surgery'] else [] end,
                   case when u_t2 < 0.55 then ['chemotherapy'] else [] end,
                   case when (u_t + u_t2) % 1 < 0.45 then ['radiotherapy'] else [] end,
                   case when u_c < 0.48 and u_t2 > 0.35 then ['hormone-therapy'] else [] end,
                   case when u_c >= 0.75 and u_t > 0.4 then ['immunotherapy'] else [] end
               )::varchar[] as treatments,
               u_t < 0.25 or i % 10 = 1 as fever_prone, u_t2 > 0.88 as activity_decline, u_s > 0.8 as low_mood
        from base""",
        f"""create table marts.telemonitoring_daily as
        with metric(metric, loinc_code, unit, typical, spread, noise) as (values {metrics}),
        grid as (
            select p.patient_key, p._i, p.fever_prone, p.activity_decline, m.*, d.d,
                   (date '{today}' - to_days({days} - d.d))::date as day,
                   {u("p._i", "m.metric", seed=seed)} as u_base,
                   {u("p._i", "m.metric", "d.d", seed=seed)} as u_day,
                   {u("p._i", "m.metric", "d.d", "'n'", seed=seed)} as u_noise,
                   case when p._i % 10 = 1 then {days} - 2
                        else ({u("p._i", "'ep'", seed=seed)} * greatest({days} - 12, 1))::int + 8
                   end as episode_day
            from marts.patients p cross join metric m cross join range(0, {days}) d(d)),
        valued as (
            select patient_key, day, metric, loinc_code, unit, round(case
                when metric = 'body_temperature' and fever_prone
                     and d between episode_day and episode_day + 2
                    then 38.2 + 0.3 * (d - episode_day) + 0.2 * u_noise
                when metric = 'oxygen_saturation' and fever_prone and d = episode_day + 1
                    then 89.5 + 1.5 * u_noise
                when metric = 'oxygen_saturation' then least(typical + 2 * (u_noise - 0.5), 100)
                when metric = 'steps' and activity_decline and d >= episode_day
                    then typical * 0.3 * (1 + spread * (2 * u_base - 1)) + 300 * (u_noise - 0.5)
                when metric = 'steps'
                    then typical * (1 + spread * (2 * u_base - 1))
                         * (case when dayofweek(day) in (0, 6) then 0.8 else 1 end)
                         + noise * (u_noise - 0.5)
                else typical * (1 + spread * (2 * u_base - 1)) + noise * 2 * (u_noise - 0.5)
            end, 1) as value
            from grid where u_day > 0.08)
        select *, median(value) over w as baseline_median, mad(value) over w as baseline_mad,
               round(value - baseline_median, 2) as deviation
        from valued
        window w as (partition by patient_key, metric order by day
                     rows between 28 preceding and 1 preceding)""",
        _prom_statement(s),
        *_omop_statements(s),
    ]


def _prom_statement(s: dict) -> str:
    seed, today = s["seed"], s["today"]
    # (instrument, scale, days between responses, responses, score expression over b, k, u_r)
    qlq = [(
        "qlq-c30", sc, 91, 5,
        "60 + 25 * b + 3 * k - case when low_mood and k = 4 then 25 else 0 end + 10 * (u_r - 0.5)"
        if sc in FUNCTIONAL else "35 - 25 * b - 2 * k + 20 * (u_r - 0.5)",
    ) for sc in FUNCTIONAL + SYMPTOMS]  # fmt: skip
    others = [
        ("phq-9", "total", 30, 12, "2 + 6 * b + case when low_mood and k >= 9 then 8 + k - 9 else 0 end"),
        ("gad-7", "total", 30, 12, "1 + 6 * b + 4 * u_r"),
        ("distress-thermometer", "distress", 30, 12, "1 + 4 * b + 3 * u_r"),
    ] + [("pro-ctcae", sym, 7, 52, "case when u_r > 0.985 then 3 else floor(3 * b * u_r) end")
         for sym in CTCAE]  # fmt: skip
    selects = []
    for instrument, scale, every, count, expr in qlq + others:
        bound = "least(greatest({e}, 0), 100)" if instrument == "qlq-c30" else "greatest({e}, 0)"
        score = bound.format(e=expr)
        selects.append(f"""
            select patient_key, _i, '{instrument}' as instrument, '{scale}' as scale, k,
                   round({score}, {1 if instrument == 'qlq-c30' else 0}) as score,
                   timestamptz '{today} 09:00:00+00' - to_days({every} * ({count} - 1 - k) + 1)
                       + to_minutes((u_r * 600)::int) as authored_at,
                   {u("patient_key", f"'{instrument}'", "k", "'skip'", seed=seed)} as u_skip
            from (select p.*, k, {u("p._i", f"'{instrument}'", seed=seed)} as b,
                         {u("p._i", f"'{scale}'", "k", seed=seed)} as u_r
                  from marts.patients p cross join range(0, {count}) r(k))""")
    union = " union all ".join(selects)
    return f"""create table marts.prom_scores as
        select patient_key, md5(patient_key || instrument || k) as response_id, instrument, scale,
               score::double as score,
               case when instrument in ('phq-9', 'gad-7') then case
                    when score < 5 then 'minimal' when score < 10 then 'mild'
                    when score < 15 then 'moderate'
                    when instrument = 'phq-9' and score < 20 then 'moderately severe'
                    else 'severe' end end as band,
               authored_at
        from ({union}) where u_skip > 0.12"""


def _omop_statements(s: dict) -> list[str]:
    return [
        """create table omop.person as
        select _i as person_id, patient_key as person_source_value from marts.patients""",
        """create table omop.condition_occurrence as
        select _i as person_id, diagnosis_date as condition_start_date,
               cancer_type || ' cancer, stage ' || stage as condition_source_value
        from marts.patients""",
        """create table omop.procedure_occurrence as
        select _i as person_id, (diagnosis_date + to_days(30))::date as procedure_date,
               'Surgical resection' as procedure_source_value
        from marts.patients where list_contains(treatments, 'surgery')""",
        f"""create table omop.drug_exposure as
        select _i as person_id, (diagnosis_date + to_days(60))::date as drug_exposure_start_date,
               (diagnosis_date + to_days(60 + 126))::date as drug_exposure_end_date,
               'Capecitabine 500 mg tablet' as drug_source_value
        from marts.patients where list_contains(treatments, 'chemotherapy')
        union all
        select _i, (diagnosis_date + to_days(120))::date, null,
               'Letrozole 2.5 mg tablet'
        from marts.patients where list_contains(treatments, 'hormone-therapy')
        union all
        select _i, (date '{s["today"]}' - to_days(400))::date, null, 'Paracetamol 1 g tablet (as needed)'
        from marts.patients where _i % 3 = 0""",
    ]


def alert_statements(s: dict, cat: Catalogue) -> list[str]:
    seed, today = s["seed"], s["today"]
    p = cat.param
    rules = ", ".join(
        f"('{r.rule_id}', '{r.version}', '{r.severity}')" for r in cat.rules.values()
    )
    ack_hours = cat.escalation_hours
    return [
        f"""create table marts.alerts as
        with temp as (
            select patient_key, day, value, lag(value) over (partition by patient_key order by day) as prev
            from marts.telemonitoring_daily where metric = 'body_temperature'),
        spo2 as (
            select patient_key, day, value, lag(value) over (partition by patient_key order by day) as prev
            from marts.telemonitoring_daily where metric = 'oxygen_saturation'),
        steps as (
            select patient_key, day,
                   avg(value) over (partition by patient_key order by day
                       rows between {int(p('ACTIVITY-DROP', 'recent_days')) - 1} preceding and current row) as recent,
                   avg(value) over (partition by patient_key order by day
                       rows between {int(p('ACTIVITY-DROP', 'recent_days') + p('ACTIVITY-DROP', 'baseline_days')) - 1}
                       preceding and {int(p('ACTIVITY-DROP', 'recent_days'))} preceding) as baseline,
                   count(*) over (partition by patient_key order by day rows between 40 preceding and current row) as n
            from marts.telemonitoring_daily where metric = 'steps'),
        steps_flagged as (
            select *, recent / nullif(baseline, 0) < {p('ACTIVITY-DROP', 'ratio_below')} as low from steps where n > 30),
        steps_episode as (
            select *, lag(low) over (partition by patient_key order by day) as prev_low from steps_flagged),
        proms as (
            select *, lag(score) over (partition by patient_key, instrument, scale order by authored_at) as prev,
                   first_value(score) over (partition by patient_key, instrument, scale order by authored_at) as first
            from marts.prom_scores),
        raised as (
            select patient_key, 'FEVER' as rule_id, day + interval 7 hour as triggered_at, day as window_start,
                   day as window_end, json_object('metric', 'body_temperature', 'value', value, 'unit', 'Cel',
                   'threshold', {p('FEVER', 'temperature_min')}) as evidence
            from temp where value >= {p('FEVER', 'temperature_min')} and coalesce(prev, 0) < {p('FEVER', 'temperature_min')}
            union all
            select patient_key, 'SPO2-LOW', day + interval 8 hour, day, day,
                   json_object('metric', 'oxygen_saturation', 'value', value, 'unit', '%',
                   'threshold', {p('SPO2-LOW', 'spo2_below')})
            from spo2 where value < {p('SPO2-LOW', 'spo2_below')} and coalesce(prev, 100) >= {p('SPO2-LOW', 'spo2_below')}
            union all
            select patient_key, 'ACTIVITY-DROP', day + interval 6 hour,
                   day - to_days({int(p('ACTIVITY-DROP', 'recent_days')) - 1}), day,
                   json_object('metric', 'steps', 'recent_mean', round(recent), 'baseline_mean', round(baseline),
                   'ratio', round(recent / baseline, 2), 'threshold', {p('ACTIVITY-DROP', 'ratio_below')})
            from steps_episode where low and not coalesce(prev_low, false)
            union all
            select patient_key, 'PHQ9-MOD', authored_at, authored_at::date, authored_at::date,
                   json_object('instrument', 'phq-9', 'total', score, 'threshold', {p('PHQ9-MOD', 'total_min')})
            from proms where instrument = 'phq-9' and score >= {p('PHQ9-MOD', 'total_min')}
                and coalesce(prev, 0) < {p('PHQ9-MOD', 'total_min')}
            union all
            select patient_key, 'PHQ9-ITEM9', authored_at, authored_at::date, authored_at::date,
                   json_object('instrument', 'phq-9', 'item', 9, 'answer', 1, 'threshold', {p('PHQ9-ITEM9', 'item9_min')})
            from proms where instrument = 'phq-9' and {u("patient_key", "authored_at", "'i9'", seed=seed)} < 0.01
            union all
            select patient_key, 'PRO-SEVERE', authored_at, authored_at::date - 6, authored_at::date,
                   json_object('instrument', 'pro-ctcae', 'symptom', scale, 'composite_grade', score,
                   'threshold', {p('PRO-SEVERE', 'composite_grade_min')})
            from proms where instrument = 'pro-ctcae' and score >= {p('PRO-SEVERE', 'composite_grade_min')}
            union all
            select patient_key, 'QLQ-DROP', authored_at, authored_at::date, authored_at::date,
                   json_object('instrument', 'qlq-c30', 'scale', scale, 'baseline', first, 'score', score,
                   'drop', round(first - score, 1), 'threshold', {p('QLQ-DROP', 'drop_min')})
            from proms where instrument = 'qlq-c30' and scale = 'QL' and first - score >= {p('QLQ-DROP', 'drop_min')}
                and coalesce(first - prev, 0) < {p('QLQ-DROP', 'drop_min')}),
        rules(rule_id, rule_version, severity) as (values {rules}),
        aged as (
            select r.*, k.rule_version, k.severity,
                   {u("r.patient_key", "r.rule_id", "r.triggered_at", seed=seed)} as u_status,
                   {u("r.patient_key", "r.rule_id", "r.triggered_at", "'ack'", seed=seed)} as u_ack,
                   timestamptz '{today} 06:00:00+00' - r.triggered_at > interval 5 day as old,
                   date_diff('day', r.triggered_at, timestamptz '{today} 06:00:00+00') as r_age_days
            from raised r join rules k using (rule_id))
        select md5(patient_key || rule_id || triggered_at) as alert_id, patient_key, rule_id, rule_version,
               severity, triggered_at::timestamptz as triggered_at, window_start::date as window_start,
               window_end::date as window_end, evidence::json as evidence,
               case when old and (u_status < 0.8 or r_age_days > 14) then 'resolved' when old or u_status > 0.6
                    then 'acknowledged' else 'open' end as status,
               case when old or u_status > 0.6
                    then triggered_at::timestamptz + to_minutes((20 + u_ack * 1800)::int) end as acknowledged_at
        from aged where triggered_at <= timestamptz '{today} 06:00:00+00'""",
        f"""insert into marts.alerts
        select md5('esc' || alert_id), patient_key, 'ESCALATE', k.rule_version, k.severity,
               triggered_at + to_hours({int(ack_hours)}), window_start, window_end,
               json_object('escalated_alert_id', alert_id, 'escalated_rule_id', a.rule_id,
                           'ack_hours', {ack_hours})::json,
               'open', null
        from marts.alerts a join (select '{cat.rules["ESCALATE"].version}' as rule_version,
                                         '{cat.rules["ESCALATE"].severity}' as severity) k on true
        where a.status = 'open' and a.severity in ('urgent', 'high')
          and a.triggered_at + to_hours({int(ack_hours)}) <= timestamptz '{today} 06:00:00+00'""",
    ]


def quality_statements(s: dict) -> list[str]:
    today = s["today"]
    return [
        f"""create table quality.ge_results as
        select 'run-' || r as run_id, timestamptz '{today} 05:40:00+00' - to_days(r) as run_at,
               'marts' as suite, e.expectation_type as expectation, e.column_name as "column",
               not (r = 0 and e.expectation_type = 'expect_column_values_to_be_between') as success,
               e.expectation_type like '%not_be_null' as critical,
               case when r = 0 and e.expectation_type = 'expect_column_values_to_be_between'
                    then '3 unexpected values' else '0 unexpected values' end as observed,
               null::json as details
        from range(0, 3) t(r) cross join (values
            ('expect_column_values_to_not_be_null', 'prom_scores.patient_key'),
            ('expect_column_values_to_be_between', 'prom_scores.score'),
            ('expect_column_values_to_be_in_set', 'alerts.severity'),
            ('expect_column_values_to_be_unique', 'alerts.alert_id'),
            ('expect_table_row_count_to_be_between', 'telemonitoring_daily')) e(expectation_type, column_name)""",
        f"""create table quality.quarantine_records as
        select 'load-' || (i % 4) as load_id, 'landing/' || kind || '/batch-' || (i % 4) as source_file,
               kind as file_kind, reason_code, reason_code || ' (synthetic example)' as reason,
               timestamptz '{today} 05:00:00+00' - to_hours(i) as quarantined_at
        from range(0, 40) t(i), lateral (select
            ['fhir-ndjson', 'device-csv', 'apple-health', 'open-mhealth'][1 + i % 4] as kind,
            ['invalid-json', 'missing-subject', 'unknown-unit', 'impossible-value',
             'wrong-resource-type'][1 + (i * 3) % 5] as reason_code)""",
        f"""create table quality.load_log as
        select 'load-' || i as load_id, 'landing/' || kind || '/file-' || i as source_file, kind as file_kind,
               timestamptz '{today} 05:00:00+00' - to_hours(i * 7) as started_at,
               timestamptz '{today} 05:00:00+00' - to_hours(i * 7) + to_seconds(40) as finished_at,
               case when i = 5 then 'rejected' else 'loaded' end as status,
               1000 + i * 13 as n_loaded, i % 3 as n_duplicate, i % 4 as n_quarantined, 40.0 as duration_s
        from range(0, 24) t(i), lateral (select
            ['fhir-ndjson', 'device-csv', 'apple-health', 'open-mhealth', 'bulk-export'][1 + i % 5] as kind)""",
        f"""create table quality.pipeline_runs as
        select 'scheduled__' || r as run_id, 'modelling' as dag_id,
               timestamptz '{today} 05:30:00+00' - to_hours(r * 6) as started_at,
               timestamptz '{today} 05:30:00+00' - to_hours(r * 6) + to_seconds(95 + r) as finished_at,
               case when r = 3 then 'failed' else 'success' end as status,
               (95 + r)::double as duration_s,
               case when r = 3 then 'dbt build failed: see the Airflow log' end as message
        from range(0, 8) t(r)""",
    ]
