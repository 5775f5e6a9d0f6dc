"""The cohort cubes' SQL (part of the data-access layer; `data.cohort_cube` runs it).

Each measure is first reduced to one row per patient (and per key such as symptom or rule), then
aggregated over every combination of the filters, each also at `ALL`: centre, cancer type and
time since diagnosis by CUBE, treatment through a selector that gives each patient the row `ALL`
plus, for every treatment T, either `T` or `not:T`. suppression.protect then hides small cells.
"""

from __future__ import annotations

from dashboards.catalogue import catalogue
from dashboards.snapshot import columns

PARTITION_DIMS = ["centre_id", "cancer_type", "tsd_band"]
SUBSET_DIMS = ["treatment"]
TSD_BANDS = ["0-1 y", "1-2 y", "2-5 y", "5+ y"]

REQUIRED_TABLES = {
    "patients": ("marts.patients",),
    "qol": ("marts.patients", "marts.prom_scores"),
    "burden": ("marts.patients", "marts.prom_scores"),
    "adherence": ("marts.patients", "marts.prom_scores", "marts.telemonitoring_daily"),
    "alerts": ("marts.patients", "marts.alerts", "marts.prom_scores", "marts.telemonitoring_daily"),
}
# Per measure: its key dimensions (independent tables), whether it has a yes/no outcome
# partition, and the statistics aggregated per cell (SQL over the facts' columns).
MEASURES = {
    "patients": ([], False, {}),
    "qol": (["months_bucket"], False, {"mean_score": "avg(value)"}),
    "burden": (["measure"], True, {}),
    "adherence": (["measure"], False, {"mean_share": "avg(value)"}),
    "alerts": (["rule_id"], True, {
        "alerts_per_100_patient_weeks": "100.0 * sum(n_alerts) / nullif(sum(patient_weeks), 0)",
        "mean_hours_to_acknowledge": "sum(ack_hours) / nullif(sum(n_acked), 0)",
        "share_acknowledged_in_time": "sum(n_acked_in_time) / nullif(sum(n_alerts), 0)",
    }),
}  # fmt: skip

_COHORT = """
cohort as (
    select patient_key, coalesce(centre_id, 'unknown') as centre_id,
           coalesce(cancer_type, 'unknown') as cancer_type,
           case when months_since_diagnosis is null then 'unknown'
                when months_since_diagnosis < 12 then '0-1 y' when months_since_diagnosis < 24 then '1-2 y'
                when months_since_diagnosis < 60 then '2-5 y' else '5+ y' end as tsd_band,
           coalesce({treatments}, []::varchar[]) as treatments, diagnosis_date
    from marts.patients{research_only}),
treatment_values as (select distinct unnest(treatments) as t from cohort),
selector as (
    select patient_key, 'ALL' as treatment from cohort
    union all
    select c.patient_key, case when list_contains(c.treatments, v.t) then v.t else 'not:' || v.t end
    from cohort c cross join treatment_values v)"""

def _cohort(path: str) -> str:
    """The cohort CTEs; treatments are the mart's treatment kinds when it keeps them apart. Every
    measure joins the cohort, and its time windows end on the cohort's own latest data, so patients
    who withdrew research consent leave every analyst cube, dates included."""
    present = columns(path, "marts.patients")
    kinds = "treatment_kinds" if "treatment_kinds" in present else "treatments"
    research_only = " where research_use_permitted" if "research_use_permitted" in present else ""
    return _COHORT.replace("{treatments}", f"{kinds}::varchar[]").replace("{research_only}", research_only)


def filter_options_sql(path: str) -> str:
    return f"""with {_cohort(path)}
        select 'centre_id' as dim, centre_id as value from cohort group by all
        union all select 'cancer_type', cancer_type from cohort group by all
        union all select 'tsd_band', tsd_band from cohort group by all
        union all select 'treatment', t from treatment_values"""


def _facts(measure: str, path: str) -> str:
    cat = catalogue()
    if measure == "patients":
        return "select patient_key from cohort"
    if measure == "qol":
        return """select s.patient_key,
                         least(floor(date_diff('month', c.diagnosis_date, s.authored_at) / 6) * 6, 60)::int
                             as months_bucket, avg(s.score) as value
                  from marts.prom_scores s join cohort c using (patient_key)
                  where s.instrument = 'qlq-c30' and s.scale = 'QL' and s.score is not null
                  group by all"""
    if measure == "burden":
        return _burden_facts(cat)
    if measure == "adherence":
        return """select c.patient_key, 'Weekly PRO-CTCAE completed, last 12 weeks' as measure,
                         least(count(distinct date_trunc('week', s.authored_at)) / 12.0, 1) as value
                  from cohort c left join marts.prom_scores s on s.patient_key = c.patient_key
                       and s.instrument = 'pro-ctcae'
                       and s.authored_at > (select max(authored_at) from marts.prom_scores join cohort using (patient_key)) - interval 84 day
                  group by all
                  union all
                  select c.patient_key, 'Days with device data, last 28 days',
                         count(distinct t.day) / 28.0
                  from cohort c left join marts.telemonitoring_daily t on t.patient_key = c.patient_key
                       and t.day > (select max(day) from marts.telemonitoring_daily join cohort using (patient_key)) - 28
                  group by all"""
    ack_hours = cat.escalation_hours
    acknowledged = (
        "a.acknowledged_at" if "acknowledged_at" in columns(path, "marts.alerts") else "null::timestamptz"
    )
    return f"""with follow_up as (
            select patient_key, greatest(date_diff('day', min(d), max(d)) / 7.0, 1) as patient_weeks
            from (select patient_key, day as d from marts.telemonitoring_daily
                  union all select patient_key, authored_at::date from marts.prom_scores)
            group by all),
        rules as (select distinct rule_id from marts.alerts),
        per_alert as (
            select patient_key, rule_id,
                   date_diff('minute', triggered_at, {acknowledged}) / 60.0 as hours_to_ack
            from marts.alerts a)
        select f.patient_key, r.rule_id, count(a.rule_id) > 0 as yes, count(a.rule_id) as n_alerts,
               any_value(f.patient_weeks) as patient_weeks, count(a.hours_to_ack) as n_acked,
               coalesce(sum(a.hours_to_ack), 0) as ack_hours,
               count(*) filter (where a.hours_to_ack <= {ack_hours}) as n_acked_in_time
        from follow_up f join cohort using (patient_key) cross join rules r
        left join per_alert a on a.patient_key = f.patient_key and a.rule_id = r.rule_id
        group by all"""


def _burden_facts(cat) -> str:
    """Share of patients past each clinical-importance threshold (latest answer in 90 days), and
    with a PRO-CTCAE composite grade at the PRO-SEVERE level (worst in 90 days)."""
    checks = []
    for (instrument, scale), known in sorted(cat.importance.items()):
        side, op = ("<", "<") if known.direction == "below" else (">=", ">=")
        label = f"{instrument.upper()} {scale} {side} {known.threshold:g}".replace("'", "")
        checks.append(f"""select patient_key, '{label}' as measure, last_score {op} {known.threshold} as yes
            from recent where instrument = '{instrument}' and scale = '{scale}'""")
    grade = cat.param("PRO-SEVERE", "composite_grade_min")
    if grade is not None:
        checks.append(f"""select patient_key, 'PRO-CTCAE ' || scale || ' grade >= {grade:g}' as measure,
                   max_score >= {grade} as yes
            from recent where instrument = 'pro-ctcae' and scale <> 'average_composite'""")
    if not checks:
        checks.append("select null::varchar as patient_key, null as measure, null::boolean as yes where false")
    return f"""with recent as (
            select patient_key, instrument, scale, arg_max(score, authored_at) as last_score,
                   max(score) as max_score
            from marts.prom_scores
            where authored_at >= (select max(authored_at) from marts.prom_scores join cohort using (patient_key)) - interval 90 day
            group by all)
        {" union all ".join(checks)}"""


def _label(column: str) -> str:
    return f"case when grouping({column}) = 1 then 'ALL' else {column}::varchar end as {column}"


def cube_sql(measure: str, path: str) -> str:
    keys, has_outcome, statistics = MEASURES[measure]
    cubed = PARTITION_DIMS + (["outcome"] if has_outcome else [])
    outcome = ", case when f.yes then 'yes' else 'no' end as outcome" if has_outcome else ""
    selected = [_label(d) for d in cubed] + ["treatment"] + keys
    stats = "".join(f", {expr} as {name}" for name, expr in statistics.items())
    return f"""with {_cohort(path)},
        facts as ({_facts(measure, path)}),
        joined as (select f.*, c.centre_id, c.cancer_type, c.tsd_band, s.treatment{outcome}
                   from facts f join cohort c using (patient_key) join selector s using (patient_key))
        select {", ".join(selected)}, count(*) as n{stats}
        from joined
        group by cube({", ".join(cubed)}), treatment{"".join(", " + k for k in keys)}"""
