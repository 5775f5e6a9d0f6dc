-- One row per patient and calendar month of follow-up: PROM completion (days with a questionnaire
-- against the scheduled period) and device wear (days with any reading).
with patients as (
    select * from {{ ref('patients') }}
),

thresholds as (
    select
        patient_key,
        no_data__prom_period_days as prom_period_days
    from {{ ref('int_alert_thresholds_by_patient') }}
),

device_days as (
    select
        patient_key,
        day
    from {{ ref('int_device_days') }}
),

prom_days as (
    select distinct
        patient_key,
        {{ utc_date('authored_at') }} as day
    from {{ ref('prom_scores') }}
),

follow_up as (
    select
        patient_key,
        min(day) as first_day,
        max(day) as last_day
    from (
        select * from device_days
        union all
        select * from prom_days
    ) as any_data
    group by patient_key
),

months as (
    select
        follow_up.patient_key,
        cast(month_start.month_start as date) as month_start,
        greatest(follow_up.first_day, cast(month_start.month_start as date)) as period_start,
        least(follow_up.last_day, cast(month_start.month_start + interval 1 month as date) - 1) as period_end
    from follow_up
    cross join lateral generate_series(
        date_trunc('month', follow_up.first_day), date_trunc('month', follow_up.last_day), interval 1 month
    ) as month_start (month_start)
),

device_months as (
    select
        patient_key,
        cast(date_trunc('month', day) as date) as month_start,
        count(*) as device_days_worn
    from device_days
    group by patient_key, cast(date_trunc('month', day) as date)
),

prom_months as (
    select
        patient_key,
        cast(date_trunc('month', day) as date) as month_start,
        count(*) as prom_days_answered
    from prom_days
    group by patient_key, cast(date_trunc('month', day) as date)
),

final as (
    -- data days always fall inside the follow-up period, so whole-month counts are period counts
    select
        months.patient_key,
        patients.centre_id,
        patients.cancer_type,
        months.month_start,
        months.period_end - months.period_start + 1 as days_followed,
        coalesce(device_months.device_days_worn, 0) as device_days_worn,
        coalesce(prom_months.prom_days_answered, 0) as prom_days_answered,
        thresholds.prom_period_days
    from months
    left join patients on months.patient_key = patients.patient_key
    left join thresholds on months.patient_key = thresholds.patient_key
    left join device_months
        on
            months.patient_key = device_months.patient_key
            and months.month_start = device_months.month_start
    left join prom_months
        on
            months.patient_key = prom_months.patient_key
            and months.month_start = prom_months.month_start
    where {{ research_permitted('months.patient_key') }}
),

shares as (
    select
        *,
        device_days_worn / days_followed as wear_share,
        least(prom_days_answered / greatest(days_followed / prom_period_days, 1), 1.0) as prom_completion
    from final
)

select * from shares
