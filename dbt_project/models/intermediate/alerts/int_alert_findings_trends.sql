-- One row per patient-day on which a trend rule fires: TACHY (resting heart rate above the limit on
-- N consecutive days), WEIGHT-LOSS (down >= X % from the highest weight of the preceding window) and
-- ACTIVITY-DROP (recent mean steps below a ratio of the patient's own baseline mean). Window lengths
-- are per-patient parameters, so windows are built with joins on day offsets, not fixed frames.
-- In an incremental build (int_alert_frame) weights and steps are read from var('max_lookback_days')
-- before the frame (the longest window these rules may be given); a TACHY run has no bounded
-- length, so resting heart rates are always read whole (findings before the frame are dropped later).
with daily as (
    select daily.*
    from {{ ref('telemonitoring_daily') }} as daily
    cross join {{ ref('int_alert_frame') }} as frame
    where
        daily.metric = 'resting_heart_rate'
        or (daily.metric in ('body_weight', 'steps') and (frame.frame_day is null or daily.day >= frame.input_from_day))
),

thresholds as (
    select * from {{ ref('int_alert_thresholds_by_patient') }}
),

resting_hr_above as (
    select
        daily.patient_key,
        daily.day,
        daily.value,
        daily.loaded_at,
        thresholds.tachy__resting_hr_above,
        thresholds.tachy__consecutive_days,
        -- days in the same run of consecutive above-limit days share this anchor
        daily.day - cast(row_number() over (partition by daily.patient_key order by daily.day) as integer)
            as run_anchor
    from daily
    inner join thresholds on daily.patient_key = thresholds.patient_key
    where daily.metric = 'resting_heart_rate' and daily.value > thresholds.tachy__resting_hr_above
),

resting_hr_runs as (
    select
        *,
        row_number() over (partition by patient_key, run_anchor order by day) as run_length,
        min(day) over (partition by patient_key, run_anchor) as run_start,
        list(round(value, 1)) over (
            partition by patient_key, run_anchor order by day rows between unbounded preceding and current row
        ) as run_values
    from resting_hr_above
),

tachycardia as (
    select
        patient_key,
        'TACHY' as rule_id,
        cast(null as varchar) as response_id,
        cast(day as timestamptz) as finding_at,
        cast(run_start as timestamptz) as window_start,
        cast(day + 1 as timestamptz) as window_end,
        loaded_at,
        json_object(
            'metric', 'resting_heart_rate', 'unit', '/min', 'days_above', run_length,
            'values', to_json(run_values), 'resting_hr_above', tachy__resting_hr_above,
            'consecutive_days', tachy__consecutive_days
        ) as evidence
    from resting_hr_runs
    where run_length >= tachy__consecutive_days
),

weights as (
    select
        daily.patient_key,
        daily.day,
        daily.value,
        daily.loaded_at,
        thresholds.weight_loss__loss_pct_min,
        thresholds.weight_loss__window_days,
        -- the (weight, day) order as one integer (macros/value_order.sql; a day's number is below
        -- 2^31 either side of 1970)
        {{ value_order('daily.value', 4294967296) }} + (daily.day - date '1970-01-01') as weight_day_order
    from daily
    inner join thresholds on daily.patient_key = thresholds.patient_key
    where daily.metric = 'body_weight'
),

weight_against_window as (
    -- the highest weight of the preceding window (a per-patient length: the frame is bounded by an
    -- expression) and the day it was reached, the latest of equal highs (by weight_day_order: at
    -- 10,000 patients the window took 3.6 CPU s with it, 6.5 with a (weight, day) struct key)
    select
        *,
        max(value) over preceding_window as reference_weight,
        arg_max(day, weight_day_order) filter (where value is not null) over preceding_window as reference_day
    from weights
    window preceding_window as (
        partition by patient_key
        order by day
        range between interval (cast(weight_loss__window_days as integer)) day preceding and interval 1 day preceding
    )
),

weight_loss as (
    select
        patient_key,
        'WEIGHT-LOSS' as rule_id,
        cast(null as varchar) as response_id,
        cast(day as timestamptz) as finding_at,
        cast(reference_day as timestamptz) as window_start,
        cast(day + 1 as timestamptz) as window_end,
        loaded_at,
        json_object(
            'metric', 'body_weight', 'unit', 'kg', 'weight', round(value, 2),
            'reference_weight', round(reference_weight, 2), 'reference_day', reference_day,
            'loss_pct', round((reference_weight - value) / reference_weight * 100, 2),
            'loss_pct_min', weight_loss__loss_pct_min, 'window_days', weight_loss__window_days
        ) as evidence
    from weight_against_window
    where round((reference_weight - value) / reference_weight * 100, 6) >= weight_loss__loss_pct_min
),

step_days as (
    select
        patient_key,
        day,
        value,
        loaded_at
    from daily
    where metric = 'steps'
),

step_calendar as (
    -- every calendar day of each patient's wear period, with running totals for window sums
    select
        spans.patient_key,
        cast(calendar.day as date) as day
    from (
        select
            patient_key,
            min(day) as first_day,
            max(day) as last_day
        from step_days
        group by patient_key
    ) as spans
    cross join lateral generate_series(spans.first_day, spans.last_day, interval 1 day) as calendar (day)
),

step_running as (
    select
        step_calendar.patient_key,
        step_calendar.day,
        step_days.value,
        step_days.loaded_at,
        sum(coalesce(step_days.value, 0)) over running as running_steps,
        count(step_days.value) over running as running_days
    from step_calendar
    left join step_days
        on
            step_calendar.patient_key = step_days.patient_key
            and step_calendar.day = step_days.day
    window running as (partition by step_calendar.patient_key order by step_calendar.day)
),

step_windows as (
    select
        today.patient_key,
        today.day,
        today.loaded_at,
        thresholds.activity_drop__ratio_below,
        thresholds.activity_drop__recent_days,
        thresholds.activity_drop__baseline_days,
        thresholds.activity_drop__recent_min_days,
        thresholds.activity_drop__baseline_min_days,
        today.running_steps - coalesce(recent_edge.running_steps, 0) as recent_steps,
        today.running_days - coalesce(recent_edge.running_days, 0) as recent_days_with_data,
        coalesce(recent_edge.running_steps, 0) - coalesce(baseline_edge.running_steps, 0) as baseline_steps,
        coalesce(recent_edge.running_days, 0) - coalesce(baseline_edge.running_days, 0)
            as baseline_days_with_data
    from step_running as today
    inner join thresholds on today.patient_key = thresholds.patient_key
    left join step_running as recent_edge
        on
            today.patient_key = recent_edge.patient_key
            and recent_edge.day = today.day - cast(thresholds.activity_drop__recent_days as integer)
    left join step_running as baseline_edge
        on
            today.patient_key = baseline_edge.patient_key
            and baseline_edge.day = today.day - cast(
                thresholds.activity_drop__recent_days + thresholds.activity_drop__baseline_days as integer
            )
    where today.value is not null
),

step_means as (
    select
        *,
        recent_steps / nullif(recent_days_with_data, 0) as recent_mean,
        baseline_steps / nullif(baseline_days_with_data, 0) as baseline_mean
    from step_windows
    where
        recent_days_with_data >= activity_drop__recent_min_days
        and baseline_days_with_data >= activity_drop__baseline_min_days
),

activity_drop as (
    select
        patient_key,
        'ACTIVITY-DROP' as rule_id,
        cast(null as varchar) as response_id,
        cast(day as timestamptz) as finding_at,
        cast(day - cast(activity_drop__recent_days + activity_drop__baseline_days - 1 as integer) as timestamptz)
            as window_start,
        cast(day + 1 as timestamptz) as window_end,
        loaded_at,
        json_object(
            'metric', 'steps', 'unit', '/d', 'recent_mean', round(recent_mean, 0),
            'baseline_mean', round(baseline_mean, 0), 'ratio', round(recent_mean / baseline_mean, 3),
            'ratio_below', activity_drop__ratio_below, 'recent_days', activity_drop__recent_days,
            'baseline_days', activity_drop__baseline_days
        ) as evidence
    from step_means
    where recent_mean < activity_drop__ratio_below * baseline_mean
),

all_findings as (
    select * from tachycardia
    union all
    select * from weight_loss
    union all
    select * from activity_drop
)

select * from all_findings
