-- OMOP CDM v5.4 CONDITION_OCCURRENCE: the primary cancer diagnosis. ICD-10 codes are source values;
-- without the vocabulary tables the standard concept is 0 (OMOP convention for unmapped codes).
with diagnoses as (
    select * from {{ ref('int_patient_conditions_primary') }}
),

patient_keys as (
    select * from {{ ref('int_patient_keys') }}
),

concepts as (
    select * from {{ ref('omop_concepts') }}
),

final as (
    select
        {{ omop_id(resource_key('Condition', 'diagnoses.condition_id')) }} as condition_occurrence_id,
        {{ omop_id('patient_keys.patient_key') }} as person_id,
        coalesce(concepts.concept_id, 0) as condition_concept_id,
        diagnoses.onset_date as condition_start_date,
        cast(diagnoses.onset_date as timestamp) as condition_start_datetime,
        cast(null as date) as condition_end_date,
        cast(null as timestamp) as condition_end_datetime,
        32817 as condition_type_concept_id,
        0 as condition_status_concept_id,
        cast(null as varchar) as stop_reason,
        cast(null as bigint) as provider_id,
        cast(null as bigint) as visit_occurrence_id,
        cast(null as bigint) as visit_detail_id,
        diagnoses.code as condition_source_value,
        0 as condition_source_concept_id,
        diagnoses.stage as condition_status_source_value
    from diagnoses
    inner join patient_keys on diagnoses.patient_id = patient_keys.patient_id
    left join concepts
        on
            concepts.vocabulary_id = 'ICD10'
            and diagnoses.code = concepts.concept_code
    where {{ research_permitted('patient_keys.patient_key') }}
)

select * from final
