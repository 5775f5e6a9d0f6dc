-- Patients whose current research-use decision excludes them from analyst views and OMOP exports.
-- The latest research Consent wins (the backend keeps one active at a time; a re-consent is a new,
-- later Consent): a withdrawn permit or an active deny (objection) excludes; an active permit or a
-- withdrawn objection includes. With var research_use_requires_consent (opt-in), every patient
-- without an active permit is excluded. Rebuilt on every run, so a change applies from the next run.
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

decisions as (
    select
        patient_keys.patient_id,
        patient_keys.patient_key,
        latest_decision.consent_id,
        latest_decision.consent_status,
        latest_decision.provision_type,
        coalesce(latest_decision.last_updated, latest_decision.consented_at) as withdrawn_at
    from {{ ref('int_patient_keys') }} as patient_keys
    left join latest_decision
        on patient_keys.patient_id = latest_decision.patient_id
),

withdrawn as (
    select
        patient_id,
        patient_key,
        consent_id,
        withdrawn_at
    from decisions
    where
        (consent_status = 'inactive' and provision_type = 'permit')
        or (consent_status = 'active' and provision_type = 'deny')
        -- opt-in: also anyone without an active permit (withdrawn_at null: none was ever given)
        or (
            {{ var('research_use_requires_consent') }}
            and not coalesce(consent_status = 'active' and provision_type = 'permit', false)
        )
)

select * from withdrawn
