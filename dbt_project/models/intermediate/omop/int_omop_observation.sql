{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook=["{{ drop_unpermitted_persons() }}", "{{ drop_changed_observation_responses() }}"],
    post_hook="{{ record_watermark(ref('int_prom_responses')) }}",
) }}
-- depends_on: {{ ref('int_patient_keys') }}, {{ ref('int_prom_responses') }}
-- The stored part of OMOP CDM v5.4 OBSERVATION (omop.observation, a view, adds the columns every row
-- has the same value in): patient-reported scores (one row per response and scale). PHQ-9 and
-- GAD-7 totals carry their LOINC codes (44261-6, 70274-6) as source values. Incremental
-- (macros/omop_incremental.sql): each run inserts the scores of the responses whose current version
-- was loaded since the last run (the pre-hooks removed their rows; prom_scores rescored them, or
-- dropped a withdrawn one) and every score of a permitted patient the table holds nothing of;
-- persons no longer permitted leave.
{%- set watermark = recorded_watermark() %}
with scores as (
    select * from {{ ref('prom_scores') }}
),

loinc_totals as (
    {{ observation_loinc_totals() }}
),

concepts as (
    select * from {{ ref('omop_concepts') }}
    where vocabulary_id = 'LOINC'
),

{% if watermark %}
    absent_patients as (
        {{ omop_absent_patients() }}
    ),

    scores_in_scope as (
        -- a score loaded since the watermark is one of a response whose current version was
        -- (prom_scores holds only current versions, at their load time)
        select scores.*
        from scores
        where
            scores.loaded_at > {{ watermark }}
            or scores.patient_key in (select absent_patients.patient_key from absent_patients)
    ),
{% else %}
    scores_in_scope as (
        select * from scores
    ),
{% endif %}

final as (
    select
        {{ omop_id("sha256(concat_ws('|', 'observation', scores.response_id, scores.scale))") }}
            as observation_id,
        {{ omop_id('scores.patient_key') }} as person_id,
        coalesce(concepts.concept_id, 0) as observation_concept_id,
        {{ utc_date('scores.authored_at') }} as observation_date,
        cast(scores.authored_at as timestamp) as observation_datetime,
        scores.score as value_as_number,
        scores.band as value_as_string,
        coalesce(loinc_totals.loinc_code, scores.instrument || ':' || scores.scale) as observation_source_value,
        scores.score_kind as unit_source_value
    from scores_in_scope as scores
    left join loinc_totals
        on
            scores.instrument = loinc_totals.instrument
            and scores.scale = loinc_totals.scale
    left join concepts on loinc_totals.loinc_code = concepts.concept_code
    where {{ research_permitted('scores.patient_key') }}
)

select * from final
