-- The current version of each Patient resource.
with patient_versions as (
    select * from {{ ref('stg_fhir__patients') }}
),

latest as (
    select * from patient_versions
    {{ latest_version('patient_id') }}
)

select * from latest
