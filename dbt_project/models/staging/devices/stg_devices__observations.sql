-- Device and wearable readings as landed (already normalised to CLINICAL_SPEC units by the loader).
with source as (
    select * from {{ source('raw', 'device_observations') }}
),

renamed as (
    select
        content_hash,
        loaded_at,
        patient_id,
        source_kind,
        device,
        loinc_code,
        effective_start as effective_at,
        effective_end,
        value,
        unit,
        original_value,
        original_unit
    from source
)

select * from renamed
