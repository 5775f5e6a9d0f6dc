-- One row per centre, rule and ISO week: alert counts against the patients monitored and the
-- questionnaires answered that week, and time to acknowledge (once alert-review Tasks exist).
with alerts as (
    select
        *,
        cast(date_trunc('week', {{ utc_date('triggered_at') }}) as date) as week_start
    from {{ ref('alerts') }}
    where {{ research_permitted('patient_key') }}
),

patients as (
    select
        patient_key,
        centre_id
    from {{ ref('patients') }}
    where {{ research_permitted('patient_key') }}
),

activity_weeks as (
    -- a patient is monitored in a week when they sent any reading or questionnaire
    select distinct
        patient_key,
        cast(date_trunc('week', day) as date) as week_start
    from {{ ref('int_device_days') }}
    union
    select distinct
        patient_key,
        cast(date_trunc('week', {{ utc_date('authored_at') }}) as date) as week_start
    from {{ ref('prom_scores') }}
),

monitored as (
    select
        patients.centre_id,
        activity_weeks.week_start,
        count(distinct activity_weeks.patient_key) as n_patients_monitored
    from activity_weeks
    inner join patients on activity_weeks.patient_key = patients.patient_key
    group by patients.centre_id, activity_weeks.week_start
),

questionnaires as (
    select
        patients.centre_id,
        cast(date_trunc('week', {{ utc_date('scores.authored_at') }}) as date) as week_start,
        count(distinct scores.response_id) as n_questionnaires
    from {{ ref('prom_scores') }} as scores
    inner join patients on scores.patient_key = patients.patient_key
    group by patients.centre_id, cast(date_trunc('week', {{ utc_date('scores.authored_at') }}) as date)
),

alert_counts as (
    select
        centre_id,
        rule_id,
        any_value(severity) as severity,
        week_start,
        count(*) as n_alerts,
        count(*) filter (where len(response_ids) > 0) as n_questionnaire_alerts,
        count(acknowledged_at) as n_acknowledged,
        median(date_diff('minute', greatest(triggered_at, detected_at), acknowledged_at) / 60.0)
            as median_hours_to_acknowledge,
        quantile_cont(date_diff('minute', greatest(triggered_at, detected_at), acknowledged_at) / 60.0, 0.9)
            as p90_hours_to_acknowledge
    from alerts
    group by centre_id, rule_id, week_start
),

final as (
    select
        alert_counts.centre_id,
        alert_counts.rule_id,
        alert_counts.severity,
        alert_counts.week_start,
        alert_counts.n_alerts,
        coalesce(monitored.n_patients_monitored, 0) as n_patients_monitored,
        alert_counts.n_alerts / nullif(monitored.n_patients_monitored, 0) as alerts_per_patient_week,
        coalesce(questionnaires.n_questionnaires, 0) as n_questionnaires,
        alert_counts.n_questionnaire_alerts / nullif(questionnaires.n_questionnaires, 0)
            as alerts_per_questionnaire,
        alert_counts.n_acknowledged,
        alert_counts.median_hours_to_acknowledge,
        alert_counts.p90_hours_to_acknowledge
    from alert_counts
    left join monitored
        on
            alert_counts.centre_id is not distinct from monitored.centre_id
            and alert_counts.week_start = monitored.week_start
    left join questionnaires
        on
            alert_counts.centre_id is not distinct from questionnaires.centre_id
            and alert_counts.week_start = questionnaires.week_start
)

select * from final
