-- One row per diagnosis, procedure and medicine course of a patient: the clinician patient page's
-- history. A clinician mart: unlike OMOP, it keeps patients who withdrew research consent.
with patient_keys as (
    select * from {{ ref('int_patient_keys') }}
),

events as (
    select
        patient_id,
        'diagnosis' as kind,
        onset_date as start_date,
        cast(null as date) as end_date,
        code as event_label
    from {{ ref('int_patient_conditions_primary') }}
    union all
    select
        patient_id,
        source_kind as kind,
        period_start as start_date,
        period_end as end_date,
        coalesce(code, treatment_name) as event_label
    from {{ ref('int_patient_treatments') }}
    where period_start is not null
),

final as (
    select
        patient_keys.patient_key,
        events.kind,
        events.start_date,
        events.end_date,
        events.event_label
    from events
    inner join patient_keys on events.patient_id = patient_keys.patient_id
)

select * from final
