{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ drop_rebuilt_days(per_metric=false) }}",
) }}
-- depends_on: {{ ref('int_telemonitoring_readings_normalised') }}, {{ ref('int_patient_keys') }}
-- One row per patient and day with any daily telemonitoring value (device wear): the days NO-DATA
-- measures gaps between and adherence_monthly counts, a tenth of telemonitoring_daily's rows.
-- Incremental: for each patient with readings loaded since the last run, the days from the earliest
-- day telemonitoring_daily rebuilt onwards are removed (pre-hook) and taken again from it, so a day
-- left without values goes.
{%- set watermark = compiled_watermark() %}
with daily as (
    select * from {{ ref('telemonitoring_daily') }}
),

{% if watermark %}
    rebuilt as (
        {{ telemonitoring_rebuilt_days(watermark, per_metric=false) }}
    ),

    daily_in_scope as (
        select daily.*
        from daily
        inner join rebuilt on daily.patient_key = rebuilt.patient_key
        where daily.day >= rebuilt.from_day
    ),
{% else %}
    daily_in_scope as (
        select * from daily
    ),
{% endif %}

final as (
    select
        patient_key,
        day,
        max(loaded_at) as loaded_at
    from daily_in_scope
    group by patient_key, day
)

select * from final
