-- One row per patient: the way from the pseudonymous patient_key back to the person. Kept in its
-- own schema for the clinician-facing views only; analyst views and marts never read it.
with patient_keys as (
    select * from {{ ref('int_patient_keys') }}
),

patient_versions as (
    select * from {{ ref('int_patients_latest') }}
),

final as (
    select
        patient_keys.patient_key,
        patient_keys.patient_id,
        patient_versions.identifier_system,
        patient_versions.identifier_value,
        concat_ws(' ', patient_versions.given_name, patient_versions.family_name) as display_name,
        patient_versions.given_name,
        patient_versions.family_name,
        patient_versions.birth_date,
        patient_versions.gender,
        replace(patient_versions.managing_organization_ref, 'Organization/', '') as centre_id
    from patient_keys
    left join patient_versions on patient_keys.patient_id = patient_versions.patient_id
)

select * from final
