{{ config(materialized='view') }}
-- OMOP CDM v5.4 MEASUREMENT, exactly the CDM's columns: telemonitoring as one daily value per metric
-- (the daily aggregate of telemonitoring_daily), LOINC and UCUM concepts from the omop_concepts seed,
-- for the persons permitted for research at the time of reading. A view over telemonitoring_daily,
-- not a copy of it: at 10,000 patients the stored table took 15 s of the full build (27 M rows) and
-- its upkeep 3 s of an incremental one, while a reader pays 2 to 8 CPU s a full scan (the ids are
-- worked out per patient and metric, the rows only joined).
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

final as (
    select
        series_ids.series_id + ((daily.day - date '1970-01-01') % 65536 + 65536) % 65536 as measurement_id,
        series_ids.person_id,
        coalesce(measurement_concepts.concept_id, 0) as measurement_concept_id,
        daily.day as measurement_date,
        cast(daily.day as timestamp) as measurement_datetime,
        cast(null as varchar) as measurement_time,
        32865 as measurement_type_concept_id,
        0 as operator_concept_id,
        daily.value as value_as_number,
        0 as value_as_concept_id,
        coalesce(unit_concepts.concept_id, 0) as unit_concept_id,
        cast(null as double) as range_low,
        cast(null as double) as range_high,
        cast(null as bigint) as provider_id,
        cast(null as bigint) as visit_occurrence_id,
        cast(null as bigint) as visit_detail_id,
        metric_codes.loinc_code as measurement_source_value,
        0 as measurement_source_concept_id,
        daily.unit as unit_source_value,
        0 as unit_source_concept_id,
        {{ omop_value_source_value('daily.value') }} as value_source_value,
        cast(null as bigint) as measurement_event_id,
        0 as meas_event_field_concept_id
    from daily
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
