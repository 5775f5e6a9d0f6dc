{{ config(materialized='view') }}
-- OMOP CDM v5.4 MEASUREMENT, exactly the CDM's columns: telemonitoring as one daily value per metric
-- (the daily aggregate of telemonitoring_daily), LOINC and UCUM concepts from the omop_concepts seed,
-- for the persons permitted for research at the time of reading. A view over telemonitoring_daily,
-- not a copy of it: at 10,000 patients the stored table took 15 s of the full build (27 M rows) and
-- its upkeep 3 s of an incremental one, while a reader pays 2 to 8 CPU s a full scan (the ids are
-- worked out per patient and metric, macros/omop_measurement.sql, the rows only joined).
with daily as (
    select * from {{ ref('telemonitoring_daily') }}
),

concepts as (
    select * from {{ ref('omop_concepts') }}
),

series as (
    {{ measurement_series() }}
),

final as (
    select
        series.series_id + ((daily.day - date '1970-01-01') % 65536 + 65536) % 65536 as measurement_id,
        series.person_id,
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
        series.loinc_code as measurement_source_value,
        0 as measurement_source_concept_id,
        daily.unit as unit_source_value,
        0 as unit_source_concept_id,
        {{ omop_value_source_value('daily.value') }} as value_source_value,
        cast(null as bigint) as measurement_event_id,
        0 as meas_event_field_concept_id
    from daily
    inner join series on daily.patient_key = series.patient_key and daily.metric = series.metric
    left join concepts as measurement_concepts
        on
            measurement_concepts.vocabulary_id = 'LOINC'
            and series.loinc_code = measurement_concepts.concept_code
    left join concepts as unit_concepts
        on
            unit_concepts.vocabulary_id = 'UCUM'
            and daily.unit = unit_concepts.concept_code
    where {{ research_permitted('daily.patient_key') }}
)

select * from final
