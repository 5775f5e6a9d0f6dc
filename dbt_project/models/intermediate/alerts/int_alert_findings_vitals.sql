-- One row per patient-day on which a single-reading vital-sign rule fires (FEVER, SPO2-LOW,
-- BP-CRISIS), dated at the reading that crossed the threshold. Only days of the alert frame
-- (int_alert_frame; every day in a full build).
with daily as (
    select daily.*
    from {{ ref('telemonitoring_daily') }} as daily
    cross join {{ ref('int_alert_frame') }} as frame
    where
        daily.metric in ('body_temperature', 'oxygen_saturation', 'systolic_bp', 'diastolic_bp')
        and (frame.frame_day is null or daily.day >= frame.frame_day)
),

thresholds as (
    select * from {{ ref('int_alert_thresholds_by_patient') }}
),

fever as (
    select
        daily.patient_key,
        'FEVER' as rule_id,
        cast(null as varchar) as response_id,
        daily.value_max_at as finding_at,
        cast(daily.day as timestamptz) as window_start,
        cast(daily.day + 1 as timestamptz) as window_end,
        daily.loaded_at,
        json_object(
            'metric', 'body_temperature', 'day', daily.day, 'max_value', daily.value_max,
            'unit', daily.unit, 'temperature_min', thresholds.fever__temperature_min
        ) as evidence
    from daily
    inner join thresholds on daily.patient_key = thresholds.patient_key
    where daily.metric = 'body_temperature' and daily.value_max >= thresholds.fever__temperature_min
),

low_saturation as (
    select
        daily.patient_key,
        'SPO2-LOW' as rule_id,
        cast(null as varchar) as response_id,
        daily.value_min_at as finding_at,
        cast(daily.day as timestamptz) as window_start,
        cast(daily.day + 1 as timestamptz) as window_end,
        daily.loaded_at,
        json_object(
            'metric', 'oxygen_saturation', 'day', daily.day, 'min_value', daily.value_min,
            'unit', daily.unit, 'spo2_below', thresholds.spo2_low__spo2_below
        ) as evidence
    from daily
    inner join thresholds on daily.patient_key = thresholds.patient_key
    where daily.metric = 'oxygen_saturation' and daily.value_min < thresholds.spo2_low__spo2_below
),

blood_pressure_days as (
    select
        patient_key,
        day,
        max(value_max) filter (where metric = 'systolic_bp') as systolic_max,
        arg_max(value_max_at, value_max) filter (where metric = 'systolic_bp') as systolic_max_at,
        max(value_max) filter (where metric = 'diastolic_bp') as diastolic_max,
        arg_max(value_max_at, value_max) filter (where metric = 'diastolic_bp') as diastolic_max_at,
        max(loaded_at) as loaded_at
    from daily
    where metric in ('systolic_bp', 'diastolic_bp')
    group by patient_key, day
),

hypertensive_crisis as (
    select
        bp.patient_key,
        'BP-CRISIS' as rule_id,
        cast(null as varchar) as response_id,
        case
            when bp.systolic_max >= thresholds.bp_crisis__systolic_min then bp.systolic_max_at
            else bp.diastolic_max_at
        end as finding_at,
        cast(bp.day as timestamptz) as window_start,
        cast(bp.day + 1 as timestamptz) as window_end,
        bp.loaded_at,
        json_object(
            'day', bp.day, 'systolic_max', bp.systolic_max, 'diastolic_max', bp.diastolic_max,
            'unit', 'mm[Hg]', 'systolic_min', thresholds.bp_crisis__systolic_min,
            'diastolic_min', thresholds.bp_crisis__diastolic_min
        ) as evidence
    from blood_pressure_days as bp
    inner join thresholds on bp.patient_key = thresholds.patient_key
    where
        bp.systolic_max >= thresholds.bp_crisis__systolic_min
        or bp.diastolic_max >= thresholds.bp_crisis__diastolic_min
),

all_findings as (
    select * from fever
    union all
    select * from low_saturation
    union all
    select * from hypertensive_crisis
)

select * from all_findings
