-- Patients whose current research-use decision excludes them from analyst views and OMOP exports.
-- The latest research Consent wins (the backend keeps one active at a time; a re-consent is a new,
-- later Consent): a withdrawn permit or an active deny (objection) excludes; an active permit or a
-- withdrawn objection includes. Rebuilt on every run, so a change applies from the next run on.
with consent_versions as (
    select * from {{ ref('stg_fhir__consents') }}
    {{ latest_version('consent_id') }}
),

research_consents as (
    select
        consent_id,
        patient_id,
        consent_status,
        coalesce(provision_type, 'permit') as provision_type,
        consented_at,
        last_updated
    from consent_versions
    where
        (scope_code = 'research' or purpose_code = 'HRESCH')
        and consent_status in ('active', 'inactive')
        and patient_id is not null
),

latest_decision as (
    select * from research_consents
    qualify row_number() over (
            partition by patient_id
            order by consented_at desc nulls last, last_updated desc nulls last, consent_id desc
        ) = 1
),

withdrawn as (
    select
        latest_decision.patient_id,
        patient_keys.patient_key,
        latest_decision.consent_id,
        coalesce(latest_decision.last_updated, latest_decision.consented_at) as withdrawn_at
    from latest_decision
    inner join {{ ref('int_patient_keys') }} as patient_keys
        on latest_decision.patient_id = patient_keys.patient_id
    where
        (latest_decision.consent_status = 'inactive' and latest_decision.provision_type = 'permit')
        or (latest_decision.consent_status = 'active' and latest_decision.provision_type = 'deny')
)

select * from withdrawn
