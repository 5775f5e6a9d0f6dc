{{ config(materialized='view') }}
-- OMOP CDM v5.4 MEASUREMENT, exactly the CDM's columns: the stored part (int_omop_measurement,
-- incremental: its header says how), the columns every row has the same value in and the value as
-- text (value_source_value), added here.
select
    measurement_id,
    person_id,
    measurement_concept_id,
    measurement_date,
    cast(measurement_date as timestamp) as measurement_datetime,
    cast(null as varchar) as measurement_time,
    32865 as measurement_type_concept_id,
    0 as operator_concept_id,
    value_as_number,
    0 as value_as_concept_id,
    unit_concept_id,
    cast(null as double) as range_low,
    cast(null as double) as range_high,
    cast(null as bigint) as provider_id,
    cast(null as bigint) as visit_occurrence_id,
    cast(null as bigint) as visit_detail_id,
    measurement_source_value,
    0 as measurement_source_concept_id,
    unit_source_value,
    0 as unit_source_concept_id,
    {{ omop_value_source_value('value_as_number') }} as value_source_value,
    cast(null as bigint) as measurement_event_id,
    0 as meas_event_field_concept_id
from {{ ref('int_omop_measurement') }}
