-- The primary cancer diagnosis per patient: the earliest oncology Condition with a known cancer type.
with conditions as (
    select * from {{ ref('stg_fhir__conditions') }}
    {{ latest_version('condition_id') }}
),

cancer_types as (
    select * from {{ ref('cancer_types') }}
),

typed as (
    select
        conditions.patient_id,
        conditions.condition_id,
        conditions.code_system,
        conditions.code,
        conditions.code_display,
        conditions.onset_date,
        coalesce(conditions.stage_text, conditions.stage_code) as stage,
        cancer_types.cancer_type
    from conditions
    inner join cancer_types
        on
            conditions.code_system = cancer_types.code_system
            and starts_with(conditions.code, cancer_types.code_prefix)
),

primary_diagnosis as (
    select * from typed
    qualify row_number() over (
            partition by patient_id order by onset_date nulls last, condition_id
        ) = 1
)

select * from primary_diagnosis
