{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ drop_rebuilt_days() }}",
) }}
-- One row per patient, metric and day: the daily value (aggregated as the metric catalogue says),
-- its extremes, and the patient's own rolling baseline (median and MAD of the preceding
-- {{ var('baseline_days') }} days) with today's deviation from it. Incremental: for each patient with
-- newly loaded readings (usable or not: a withdrawn or newly rejected reading changes its day too),
-- the days from the earliest new reading onwards are rebuilt (with enough history before them for
-- the baseline window); the pre-hook removes those days first, so a day left without usable readings
-- goes, and the run appends them (every day it builds was removed: no delete by key).
{%- set watermark = compiled_watermark() %}
{#- the earliest rebuilt day, as a literal: a date filter on every reading (from that day's baseline
    window on) costs far less than probing the join below with each reading's patient and metric -#}
{%- set first_day = first_reading_day_since(watermark) if watermark else none %}
with readings as (
    select * from {{ ref('int_telemonitoring_readings_normalised') }}
    where rejection_reason is null
),

{% if watermark %}
    rebuild_from as (
        {{ telemonitoring_rebuild_from(watermark) }}
    ),

    readings_in_scope as (
        select readings.*
        from readings
        inner join rebuild_from
            on
                readings.patient_id = rebuild_from.patient_id
                and readings.metric = rebuild_from.metric
        where
            readings.day >= rebuild_from.from_day - {{ var('baseline_days') }}
            {%- if first_day %}
                and readings.day >= date '{{ first_day }}' - {{ var('baseline_days') }}
            {%- endif %}
    ),
{% else %}
    readings_in_scope as (
        select * from readings
    ),
{% endif %}

-- patients and metrics numbered: the series of the baseline are grouped and joined back by two
-- integers instead of two strings, and the patient key joins in last
metrics as (
    select
        *,
        cast(row_number() over (order by metric) as integer) as metric_number
    from ({{ metric_catalogue() }})
),

patients as (
    select
        patient_id,
        patient_key,
        cast(row_number() over (order by patient_id) as integer) as patient_number
    from {{ ref('int_patient_keys') }}
),

readings_ordered as (
    -- each reading's place in its day as one integer: the value first (macros/value_order.sql),
    -- then the millisecond since the day began (under 10^8)
    select
        *,
        {{ value_order('value', 100000000) }} as value_order,
        epoch_ms(effective_at) - epoch_ms(day) as ms_of_day
    from readings_in_scope
),

daily as (
    -- no strings beside the keys: the metric's unit and aggregate come from the catalogue once per
    -- day, and the window below sorts and carries every column it is given
    select
        patient_id,
        metric,
        day,
        -- the mean is value_sum / n_readings below: avg() is that same division of the same sum (every
        -- usable reading has a value), and its state cost the group by about 2 of its 32 CPU s
        sum(value) as value_sum,
        min(value) as value_min,
        max(value) as value_max,
        -- the first reading at the extreme: ties broken by time, so a rebuild dates it (and the
        -- alert id it may open) the same way. The (value, time) order is one integer, not a
        -- struct: a struct ordering key costs a sort key per reading, and at 10,000 patients
        -- (27 M days) it took the group by from about 21 to 85 CPU seconds (integer: 48)
        arg_min(effective_at, value_order + ms_of_day) as value_min_at,
        arg_max(effective_at, value_order - ms_of_day) as value_max_at,
        count(*) as n_readings,
        max(loaded_at) as loaded_at
    from readings_ordered
    group by patient_id, metric, day
),

daily_values as (
    select
        patients.patient_number,
        metrics.metric_number,
        daily.day,
        daily.value_min,
        daily.value_max,
        daily.value_min_at,
        daily.value_max_at,
        daily.n_readings,
        daily.loaded_at,
        case metrics.daily_aggregate
            when 'max' then daily.value_max
            when 'min' then daily.value_min
            when 'sum' then daily.value_sum
            else daily.value_sum / daily.n_readings
        end as value
    from daily
    inner join metrics on daily.metric = metrics.metric
    inner join patients on daily.patient_id = patients.patient_id
),

series as (
    -- one list of days and one of values per patient and metric: the baseline of every day is
    -- computed a whole series at a time (ingestion/rolling_baseline.py): a moving-frame list per
    -- row and two medians of each cost about 60 of this model's 97 CPU seconds at 10,000 patients
    -- (the model now takes 60)
    select
        patient_number,
        metric_number,
        list(day order by day) as series_days,
        list(value order by day) as series_values
    from daily_values
    group by patient_number, metric_number
),

baselines as (
    -- median and MAD (median absolute deviation from the median, as mad() computes it) of the
    -- values on the baseline_days days before each day, and how many of those days had one
    select
        patient_number,
        metric_number,
        unnest(series_days) as day,
        unnest(rolling_baseline(series_days, series_values, {{ var('baseline_days') }}), recursive := true)
    from series
),

with_baseline as (
    -- joined back by the integer keys: carrying the other daily columns through the lists instead
    -- measured slower (at 10,000 patients, 34 against 32 s)
    select
        daily_values.*,
        baselines.median as baseline_median,
        baselines.mad as baseline_mad,
        baselines.n_days as baseline_n_days
    from daily_values
    inner join baselines
        on
            daily_values.patient_number = baselines.patient_number
            and daily_values.metric_number = baselines.metric_number
            and daily_values.day = baselines.day
),

final as (
    select
        patients.patient_key,
        with_baseline.day,
        metrics.metric,
        with_baseline.value,
        metrics.unit,
        with_baseline.value_min,
        with_baseline.value_max,
        with_baseline.value_min_at,
        with_baseline.value_max_at,
        with_baseline.n_readings,
        with_baseline.baseline_median,
        with_baseline.baseline_mad,
        with_baseline.baseline_n_days,
        with_baseline.value - with_baseline.baseline_median as deviation,
        case
            when with_baseline.baseline_mad > 0
                then (with_baseline.value - with_baseline.baseline_median) / (1.4826 * with_baseline.baseline_mad)
        end as deviation_robust_z,
        with_baseline.loaded_at
    from with_baseline
    inner join patients on with_baseline.patient_number = patients.patient_number
    inner join metrics on with_baseline.metric_number = metrics.metric_number
    {% if watermark -%}
        inner join rebuild_from
            on
                patients.patient_id = rebuild_from.patient_id
                and metrics.metric = rebuild_from.metric
        where with_baseline.day >= rebuild_from.from_day
    {%- endif %}
)

select * from final
