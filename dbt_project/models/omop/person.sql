-- OMOP CDM v5.4 PERSON: one row per patient, pseudonymous (person_source_value = patient_key).
with patients as (
    select * from {{ ref('patients') }}
),

gender_concepts as (
    select * from {{ ref('omop_concepts') }}
    where vocabulary_id = 'Gender'
),

final as (
    select
        {{ omop_id('patients.patient_key') }} as person_id,
        coalesce(gender_concepts.concept_id, 0) as gender_concept_id,
        patients.birth_year as year_of_birth,
        cast(null as integer) as month_of_birth,
        cast(null as integer) as day_of_birth,
        cast(null as timestamp) as birth_datetime,
        0 as race_concept_id,
        0 as ethnicity_concept_id,
        cast(null as bigint) as location_id,
        cast(null as bigint) as provider_id,
        cast(null as bigint) as care_site_id,
        patients.patient_key as person_source_value,
        patients.gender as gender_source_value,
        0 as gender_source_concept_id,
        cast(null as varchar) as race_source_value,
        0 as race_source_concept_id,
        cast(null as varchar) as ethnicity_source_value,
        0 as ethnicity_source_concept_id
    from patients
    left join gender_concepts on patients.gender = gender_concepts.concept_code
    where {{ research_permitted('patients.patient_key') }}
)

select * from final
