{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook=["{{ drop_unpermitted_persons() }}", "{{ drop_changed_measurement_days() }}"],
    post_hook="{{ record_watermark(ref('int_telemonitoring_readings_normalised')) }}",
) }}
-- depends_on: {{ ref('int_telemonitoring_readings_normalised') }}
-- The stored part of OMOP CDM v5.4 MEASUREMENT (omop.measurement, a view, adds the columns every row
-- has the same value in: writing those cost 8 of the table's 19 CPU seconds at 10,000 patients; and
-- value_source_value, the value as text, which cost 8 CPU s more to format and store):
-- telemonitoring as one daily value per metric (the daily aggregate of telemonitoring_daily), LOINC
-- and UCUM concepts from the omop_concepts seed. Incremental
-- (macros/omop_incremental.sql): each run inserts the patient days with a reading loaded since the
-- last run (the pre-hooks removed their rows; telemonitoring_daily rebuilt or dropped them) and
-- every day of a permitted patient the table holds nothing of; persons no longer permitted leave.
{%- set watermark = recorded_watermark() %}
with daily as (
    select * from {{ ref('telemonitoring_daily') }}
),

metric_codes as (
    -- one LOINC code per metric (oxygen saturation has two source codes; the first is kept)
    select
        metric,
        min(loinc_code) as loinc_code
    from {{ ref('telemonitoring_metrics') }}
    group by metric
),

concepts as (
    select * from {{ ref('omop_concepts') }}
),

series_ids as (
    -- a stable id per person and metric (44 bits of a digest), shifted left 16 bits for the day: the
    -- measurement id is the series id plus the day's number since 1970 (modulo 2^16: 179 years),
    -- unique within a series by construction. One digest per patient and metric, not per row: at
    -- 10,000 patients sha256 of every row's key cost 28 CPU s. The person id too is worked out once
    -- per series, not per row (2 CPU s at 10,000 patients)
    select
        patient_keys.patient_key,
        metric_codes.metric,
        {{ omop_id('patient_keys.patient_key') }} as person_id,
        cast(
            '0x' || left(sha256(concat_ws('|', 'measurement', patient_keys.patient_key, metric_codes.metric)), 11)
            as bigint
        ) * 65536 as series_id
    from {{ ref('int_patient_keys') }} as patient_keys
    cross join metric_codes
),

{% if watermark %}
    changed_days as (
        {{ measurement_changed_days(watermark) }}
    ),

    absent_patients as (
        {{ omop_absent_patients() }}
    ),

    daily_in_scope as (
        select daily.*
        from daily
        where
            exists (
                select 1 from changed_days
                where changed_days.patient_key = daily.patient_key and changed_days.day = daily.day
            )
            or daily.patient_key in (select absent_patients.patient_key from absent_patients)
    ),
{% else %}
    daily_in_scope as (
        select * from daily
    ),
{% endif %}

final as (
    select
        series_ids.series_id + ((daily.day - date '1970-01-01') % 65536 + 65536) % 65536 as measurement_id,
        series_ids.person_id,
        coalesce(measurement_concepts.concept_id, 0) as measurement_concept_id,
        daily.day as measurement_date,
        daily.value as value_as_number,
        coalesce(unit_concepts.concept_id, 0) as unit_concept_id,
        metric_codes.loinc_code as measurement_source_value,
        daily.unit as unit_source_value
    from daily_in_scope as daily
    inner join metric_codes on daily.metric = metric_codes.metric
    inner join series_ids on daily.patient_key = series_ids.patient_key and daily.metric = series_ids.metric
    left join concepts as measurement_concepts
        on
            measurement_concepts.vocabulary_id = 'LOINC'
            and metric_codes.loinc_code = measurement_concepts.concept_code
    left join concepts as unit_concepts
        on
            unit_concepts.vocabulary_id = 'UCUM'
            and daily.unit = unit_concepts.concept_code
    where {{ research_permitted('daily.patient_key') }}
)

select * from final
