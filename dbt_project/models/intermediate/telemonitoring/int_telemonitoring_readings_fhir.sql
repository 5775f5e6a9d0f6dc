{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='reading_id',
    incremental_predicates=["rejection_reason = 'withdrawn'"],
    pre_hook="{{ withdraw_changed_observations() }}",
) }}
-- One row per telemonitoring reading from FHIR Observations (blood pressure panels unpacked into
-- their components), converted to the CLINICAL_SPEC unit with the original value and unit beside it
-- (macros/normalise_readings.sql; device readings: int_telemonitoring_readings_devices, both in
-- int_telemonitoring_readings_normalised). Incremental: only rows loaded since the last run are
-- parsed; a new version of an Observation replaces the old one through reading_id. A reading that
-- cannot be used stays here with its rejection_reason (unknown-unit, implausible-value, or withdrawn:
-- the Observation's current version is entered-in-error or cancelled), never silently away; the
-- daily mart skips them and telemonitoring_readings_rejected lists them. The pre-hook marks the rows
-- of every Observation with a new version as withdrawn first, so a reading its new version no longer
-- carries (a panel re-sent without components) is withdrawn too, and the daily mart rebuilds its day.
-- A new reading's id can only be held already by a reading of an Observation with a new version,
-- which the pre-hook has just marked withdrawn: the delete by reading_id looks among the withdrawn
-- rows alone (incremental_predicates), not through every reading.
with observations_loaded as not materialized (
    select * from {{ ref('stg_fhir__observations') }}
    where {{ loaded_since_last_build() }}
),

multi_version_ids as (
    -- the Observations loaded in more than one version: only these need ranking, as a window over
    -- millions of one-row partitions costs more than counting them (at 10,000 patients, 32 CPU s)
    {{ repeated_keys('observations_loaded', ['observation_id']) }}
),

current_of_multi_version as (
    select observations_loaded.*
    from observations_loaded
    semi join multi_version_ids
        on {{ keys_match('observations_loaded', 'multi_version_ids', ['observation_id']) }}
    {{ latest_version('observation_id') }}
),

observation_versions as (
    -- the current version of each Observation, whatever its status or value
    select observations_loaded.*
    from observations_loaded
    anti join multi_version_ids
        on {{ keys_match('observations_loaded', 'multi_version_ids', ['observation_id']) }}
    union all
    select * from current_of_multi_version
),

observations as (
    select * from observation_versions
    where value_quantity is not null
),

components_loaded as not materialized (
    select * from {{ ref('stg_fhir__observation_components') }}
    where value_quantity is not null and {{ loaded_since_last_build() }}
),

components as (
    -- the components of current versions only: a version without components hides none of the
    -- old. Told apart as the Observations are (a lookup among the millions of current versions'
    -- hashes cost 10 CPU s at 10,000 patients)
    select components_loaded.*
    from components_loaded
    anti join multi_version_ids
        on {{ keys_match('components_loaded', 'multi_version_ids', ['observation_id']) }}
    union all
    select components_loaded.*
    from components_loaded
    semi join current_of_multi_version
        on components_loaded.content_hash = current_of_multi_version.content_hash
),

all_readings as (
    select
        'fhir:' || observation_id as reading_id,
        patient_id,
        code as loinc_code,
        effective_at,
        value_quantity as original_numeric,
        value_unit as original_unit,
        'fhir' as source_kind,
        observation_status,
        loaded_at
    from observations
    union all
    select
        'fhir:' || observation_id || ':' || code as reading_id,
        patient_id,
        code as loinc_code,
        effective_at,
        value_quantity as original_numeric,
        value_unit as original_unit,
        'fhir' as source_kind,
        observation_status,
        loaded_at
    from components
)

{{ normalise_readings('all_readings') }}
