{{ config(materialized='table') }}
-- One row per patient, rule and parameter of the current rule versions, resolved per patient:
-- a patient override beats a centre override beats the default (alert_rule_params scope/scope_id).
with current_rules as (
    select
        rule_id,
        max(rule_version) as rule_version
    from {{ ref('alert_rules') }}
    group by rule_id
),

params as (
    select params.*
    from {{ ref('alert_rule_params') }} as params
    inner join current_rules
        on
            params.rule_id = current_rules.rule_id
            and params.rule_version = current_rules.rule_version
),

patients as (
    select
        patient_keys.patient_id,
        patient_keys.patient_key,
        replace(patient_versions.managing_organization_ref, 'Organization/', '') as centre_id
    from {{ ref('int_patient_keys') }} as patient_keys
    left join {{ ref('int_patients_latest') }} as patient_versions
        on patient_keys.patient_id = patient_versions.patient_id
),

resolved as (
    select
        patients.patient_id,
        patients.patient_key,
        params.rule_id,
        params.param,
        arg_max(
            params.value,
            case params.scope when 'patient' then 3 when 'centre' then 2 else 1 end
        ) as value
    from patients
    inner join params
        on
            params.scope = 'default'
            or (params.scope = 'centre' and patients.centre_id = params.scope_id)
            or (params.scope = 'patient' and params.scope_id in (patients.patient_id, patients.patient_key))
    group by patients.patient_id, patients.patient_key, params.rule_id, params.param
),

final as (
    select
        resolved.patient_id,
        resolved.patient_key,
        resolved.rule_id,
        current_rules.rule_version,
        resolved.param,
        resolved.value
    from resolved
    inner join current_rules on resolved.rule_id = current_rules.rule_id
)

select * from final
