-- One row per patient, pseudonymised: no names, contact details, addresses or exact birth dates
-- (birth year and age band only). The way back to a person is identity.patient_identity.
with patient_keys as (
    select * from {{ ref('int_patient_keys') }}
),

patient_versions as (
    select * from {{ ref('int_patients_latest') }}
),

diagnoses as (
    select * from {{ ref('int_patient_conditions_primary') }}
),

treatments as (
    select
        patient_id,
        list(distinct treatment_kind order by treatment_kind) filter (where treatment_kind is not null)
            as treatment_kinds,
        list(distinct treatment_name order by treatment_name) filter (where treatment_name is not null)
            as treatments
    from {{ ref('int_patient_treatments') }}
    group by patient_id
),

horizon as (
    select * from {{ ref('int_data_horizon') }}
),

final as (
    select
        patient_keys.patient_key,
        replace(patient_versions.managing_organization_ref, 'Organization/', '') as centre_id,
        patient_versions.country,
        patient_versions.language,
        patient_versions.gender,
        year(patient_versions.birth_date) as birth_year,
        case
            when patient_versions.birth_date is null then null
            when date_diff('year', patient_versions.birth_date, horizon.as_of_day) < 40 then '18-39'
            when date_diff('year', patient_versions.birth_date, horizon.as_of_day) < 50 then '40-49'
            when date_diff('year', patient_versions.birth_date, horizon.as_of_day) < 60 then '50-59'
            when date_diff('year', patient_versions.birth_date, horizon.as_of_day) < 70 then '60-69'
            when date_diff('year', patient_versions.birth_date, horizon.as_of_day) < 80 then '70-79'
            else '80+'
        end as age_band,
        diagnoses.cancer_type,
        diagnoses.code as diagnosis_code,
        diagnoses.stage,
        diagnoses.onset_date as diagnosis_date,
        date_diff('month', diagnoses.onset_date, horizon.as_of_day) as months_since_diagnosis,
        coalesce(treatments.treatment_kinds, []) as treatment_kinds,
        coalesce(treatments.treatments, []) as treatments,
        horizon.as_of_day,
        -- false once the patient withdraws research consent: analyst views leave them out
        {{ research_permitted('patient_keys.patient_key') }} as research_use_permitted
    from patient_keys
    left join patient_versions on patient_keys.patient_id = patient_versions.patient_id
    left join diagnoses on patient_keys.patient_id = diagnoses.patient_id
    left join treatments on patient_keys.patient_id = treatments.patient_id
    cross join horizon
)

select * from final
