{{ config(materialized='view') }}
-- OMOP CDM v5.4 OBSERVATION, exactly the CDM's columns: the stored part (int_omop_observation,
-- incremental: its header says how), the columns every row has the same value in and the value as
-- text (value_source_value), added here.
select
    observation_id,
    person_id,
    observation_concept_id,
    observation_date,
    observation_datetime,
    32865 as observation_type_concept_id,
    value_as_number,
    value_as_string,
    0 as value_as_concept_id,
    0 as qualifier_concept_id,
    0 as unit_concept_id,
    cast(null as bigint) as provider_id,
    cast(null as bigint) as visit_occurrence_id,
    cast(null as bigint) as visit_detail_id,
    observation_source_value,
    0 as observation_source_concept_id,
    unit_source_value,
    cast(null as varchar) as qualifier_source_value,
    {{ omop_value_source_value('value_as_number') }} as value_source_value,
    cast(null as bigint) as observation_event_id,
    0 as obs_event_field_concept_id
from {{ ref('int_omop_observation') }}
