{{ config(materialized='view') }}
-- One row per telemonitoring reading from device files, converted to the CLINICAL_SPEC unit as the
-- FHIR readings are (macros/normalise_readings.sql), in int_telemonitoring_readings_normalised with
-- them. A view, not a copy: a device reading is never re-sent in another version (its id is the
-- content hash the loader keeps it once by, tested unique on raw.device_observations), so there is
-- nothing to keep between runs, and writing the 27 M readings of 10,000 patients x 1 year cost
-- 34 CPU s per full build, where each model or test reading them pays 1 to 4.
with readings as (
    select
        'device:' || content_hash as reading_id,
        patient_id,
        loinc_code,
        effective_at,
        value as original_numeric,
        unit as original_unit,
        source_kind,
        cast(null as varchar) as observation_status,
        loaded_at
    from {{ ref('stg_devices__observations') }}
)

{{ normalise_readings('readings') }}
