-- OMOP CDM v5.4 DRUG_EXPOSURE: systemic treatments (MedicationStatements); ATC codes as source values.
with treatments as (
    select * from {{ ref('int_patient_treatments') }}
    where source_kind = 'medication'
),

patient_keys as (
    select * from {{ ref('int_patient_keys') }}
),

final as (
    select
        {{ omop_id(resource_key('MedicationStatement', 'treatments.treatment_id')) }} as drug_exposure_id,
        {{ omop_id('patient_keys.patient_key') }} as person_id,
        0 as drug_concept_id,
        treatments.period_start as drug_exposure_start_date,
        cast(treatments.period_start as timestamp) as drug_exposure_start_datetime,
        coalesce(treatments.period_end, treatments.period_start) as drug_exposure_end_date,
        cast(coalesce(treatments.period_end, treatments.period_start) as timestamp) as drug_exposure_end_datetime,
        treatments.period_end as verbatim_end_date,
        32817 as drug_type_concept_id,
        cast(null as varchar) as stop_reason,
        cast(null as integer) as refills,
        cast(null as double) as quantity,
        cast(null as integer) as days_supply,
        cast(null as varchar) as sig,
        0 as route_concept_id,
        cast(null as varchar) as lot_number,
        cast(null as bigint) as provider_id,
        cast(null as bigint) as visit_occurrence_id,
        cast(null as bigint) as visit_detail_id,
        treatments.code as drug_source_value,
        0 as drug_source_concept_id,
        cast(null as varchar) as route_source_value,
        cast(null as varchar) as dose_unit_source_value
    from treatments
    inner join patient_keys on treatments.patient_id = patient_keys.patient_id
    where treatments.period_start is not null and {{ research_permitted('patient_keys.patient_key') }}
)

select * from final
