{{ config(materialized='view') }}
-- Telemonitoring readings left out of the marts, with the reason (int_telemonitoring_readings_normalised):
-- unknown-unit, implausible-value or withdrawn. Keyed like every mart (patient_key), originals kept.
with rejected as (
    select * from {{ ref('int_telemonitoring_readings_normalised') }}
    where rejection_reason is not null
),

final as (
    select
        patient_keys.patient_key,
        rejected.reading_id,
        rejected.metric,
        rejected.loinc_code,
        rejected.effective_at,
        rejected.original_value,
        rejected.original_unit,
        rejected.value,
        rejected.unit,
        rejected.source_kind,
        rejected.rejection_reason,
        rejected.loaded_at
    from rejected
    inner join {{ ref('int_patient_keys') }} as patient_keys on rejected.patient_id = patient_keys.patient_id
)

select * from final
