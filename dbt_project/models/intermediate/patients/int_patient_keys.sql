{{ config(materialized='table') }}
-- Every patient id the warehouse has seen, from any source, with its pseudonymous key.
with patient_ids as (
    select patient_id from {{ ref('int_patients_latest') }}
    union
    select patient_id from {{ ref('int_prom_answers_mapped') }}
    union
    select patient_id from {{ ref('int_telemonitoring_readings_normalised') }}
),

keyed as (
    select
        patient_id,
        {{ patient_key('patient_id') }} as patient_key
    from patient_ids
    where patient_id is not null
)

select * from keyed
