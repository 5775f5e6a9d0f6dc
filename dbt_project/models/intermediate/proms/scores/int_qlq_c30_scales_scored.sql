-- EORTC QLQ-C30 v3.0 scale scores per response (CLINICAL_SPEC 1.1): raw score = mean of the answered
-- items; a scale is scored when at least half of its items are answered, else it is missing.
-- Incremental per response, as every scoring table (dbt_project.yml, intermediate/proms/scores).
-- depends_on: {{ ref('int_prom_responses') }}
with answers as (
    select * from {{ ref('int_prom_answers_mapped') }}
    where
        instrument = 'qlq-c30'
        and {{ loaded_since_last_build() }}
),

scale_definitions as (
    select
        items.scale,
        scales.scale_kind,
        scales.in_summary_score,
        count(*) as n_items,
        max(items.max_value) - min(items.min_value) as item_range
    from {{ ref('instrument_items') }} as items
    inner join {{ ref('qlq_c30_scales') }} as scales on items.scale = scales.scale
    where items.instrument = 'qlq-c30'
    group by items.scale, scales.scale_kind, scales.in_summary_score
),

responses as (
    select
        response_id,
        any_value(patient_id) as patient_id,
        any_value(authored_at) as authored_at,
        max(loaded_at) as loaded_at
    from answers
    group by response_id
),

answered as (
    select
        response_id,
        scale,
        count(*) as n_answered,
        avg(item_value) as raw_score
    from answers
    where answer_status = 'answered'
    group by response_id, scale
),

response_scales as (
    select
        responses.*,
        scale_definitions.scale,
        scale_definitions.scale_kind,
        scale_definitions.in_summary_score,
        scale_definitions.n_items,
        scale_definitions.item_range,
        coalesce(answered.n_answered, 0) as n_answered,
        answered.raw_score
    from responses
    cross join scale_definitions
    left join answered
        on
            responses.response_id = answered.response_id
            and scale_definitions.scale = answered.scale
),

scored as (
    select
        response_id,
        patient_id,
        authored_at,
        loaded_at,
        scale,
        scale_kind,
        in_summary_score,
        n_items,
        n_answered,
        raw_score,
        -- rounded to 6 decimals so threshold comparisons (e.g. a 10-point drop) see no float noise
        round(
            case
                when n_answered * 2 < n_items then null
                when scale_kind = 'functional' then (1 - (raw_score - 1) / item_range) * 100
                else (raw_score - 1) / item_range * 100
            end,
            6
        ) as score
    from response_scales
)

select * from scored
