{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='response_id',
) }}
-- One row per QuestionnaireResponse: its current version (newest meta.lastUpdated, then the latest
-- load), whether that version is scored (completed or amended: an entered-in-error or stopped
-- version withdraws the response), and the earliest authored day any version claimed (where an
-- incremental alert build must start for a changed or withdrawn response). Read at the response
-- level, so a version without items (typically entered-in-error) still counts. Incremental: the
-- responses with a version loaded since the last run are chosen again among all their versions.
{%- set watermark = compiled_watermark() %}
with versions as (
    select
        *,
        min({{ utc_date('authored_at') }}) over (partition by response_id) as first_authored_day
    from {{ ref('stg_fhir__questionnaire_responses') }}
    {%- if watermark %}
        where response_id in (
            select new_versions.response_id from {{ ref('stg_fhir__questionnaire_responses') }} as new_versions
            where new_versions.loaded_at > {{ watermark }}
        )
    {%- endif %}
),

current_versions as (
    select * from versions
    {{ latest_version('response_id') }}
),

final as (
    select
        response_id,
        content_hash,
        response_status,
        coalesce(response_status in ('completed', 'amended'), false) as is_scored,
        patient_id,
        authored_at,
        first_authored_day,
        loaded_at
    from current_versions
)

select * from final
