-- One row per treatment course (MedicationStatement or Procedure, current versions) per patient.
with medications as (
    select * from {{ ref('stg_fhir__medication_statements') }}
    {{ latest_version('medication_statement_id') }}
),

procedures as (
    select * from {{ ref('stg_fhir__procedures') }}
    {{ latest_version('procedure_id') }}
),

treatments as (
    select
        patient_id,
        medication_statement_id as treatment_id,
        'medication' as source_kind,
        treatment_kind,
        medication_system as code_system,
        medication_code as code,
        medication_name as treatment_name,
        period_start,
        period_end,
        statement_status as treatment_status
    from medications
    where coalesce(statement_status, '') <> 'entered-in-error'
    union all
    select
        patient_id,
        procedure_id as treatment_id,
        'procedure' as source_kind,
        treatment_kind,
        procedure_system as code_system,
        procedure_code as code,
        procedure_name as treatment_name,
        period_start,
        period_end,
        procedure_status as treatment_status
    from procedures
    where coalesce(procedure_status, '') <> 'entered-in-error'
)

select * from treatments
