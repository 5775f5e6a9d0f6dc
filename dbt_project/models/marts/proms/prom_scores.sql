{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ drop_changed_responses() }}",
) }}
-- One row per response and scale: every instrument's scores in one long table for the dashboards.
-- Incremental per response, like the scoring tables it unions: the pre-hook removes every response
-- whose current version was loaded since the last run (a newer version, or a withdrawn one), and the
-- run inserts the scores loaded since then.
-- depends_on: {{ ref('int_prom_responses') }}
{#- one watermark query for the six scoring tables below -#}
{%- set since_last_build = loaded_since_last_build() %}
with qlq_scales as (
    select
        response_id,
        patient_id,
        authored_at,
        loaded_at,
        'qlq-c30' as instrument,
        scale,
        score,
        'points 0-100' as score_kind,
        n_answered,
        cast(null as integer) as item9_value
    from {{ ref('int_qlq_c30_scales_scored') }}
    where {{ since_last_build }}
),

qlq_summary as (
    select
        response_id,
        patient_id,
        authored_at,
        loaded_at,
        'qlq-c30' as instrument,
        scale,
        score,
        'points 0-100' as score_kind,
        n_scored as n_answered,
        cast(null as integer) as item9_value
    from {{ ref('int_qlq_c30_summary_scored') }}
    where {{ since_last_build }}
),

sum_scores as (
    select
        response_id,
        patient_id,
        authored_at,
        loaded_at,
        instrument,
        scale,
        score,
        'sum' as score_kind,
        n_answered,
        item9_value
    from {{ ref('int_sum_scores_scored') }}
    where {{ since_last_build }}
),

single_items as (
    select
        response_id,
        patient_id,
        authored_at,
        loaded_at,
        instrument,
        scale,
        score,
        'item 0-10' as score_kind,
        1 as n_answered,
        cast(null as integer) as item9_value
    from {{ ref('int_single_item_scores') }}
    where {{ since_last_build }}
),

pro_ctcae_grades as (
    select
        response_id,
        patient_id,
        authored_at,
        loaded_at,
        'pro-ctcae' as instrument,
        symptom as scale,
        composite_grade as score,
        'composite grade 0-3' as score_kind,
        1 as n_answered,
        cast(null as integer) as item9_value
    from {{ ref('int_pro_ctcae_composites_graded') }}
    where {{ since_last_build }}
),

pro_ctcae_average as (
    select
        response_id,
        any_value(patient_id) as patient_id,
        any_value(authored_at) as authored_at,
        max(loaded_at) as loaded_at,
        'pro-ctcae' as instrument,
        'average_composite' as scale,
        round(avg(composite_grade), 6) as score,
        'mean composite grade 0-3' as score_kind,
        count(composite_grade) as n_answered,
        cast(null as integer) as item9_value
    from {{ ref('int_pro_ctcae_composites_graded') }}
    where {{ since_last_build }}
    group by response_id
),

all_scores as (
    select * from qlq_scales
    union all
    select * from qlq_summary
    union all
    select * from sum_scores
    union all
    select * from single_items
    union all
    select * from pro_ctcae_grades
    union all
    select * from pro_ctcae_average
),

bands as (
    select * from {{ ref('score_bands') }}
    qualify band_version = max(band_version) over ()
),

final as (
    select
        patient_keys.patient_key,
        all_scores.response_id,
        all_scores.instrument,
        all_scores.scale,
        cast(all_scores.score as double) as score,
        all_scores.score_kind,
        bands.band,
        all_scores.item9_value,
        case when all_scores.instrument = 'phq-9' then coalesce(all_scores.item9_value > 0, false) end
            as item9_flag,
        all_scores.n_answered,
        all_scores.authored_at,
        all_scores.loaded_at
    from all_scores
    inner join {{ ref('int_patient_keys') }} as patient_keys on all_scores.patient_id = patient_keys.patient_id
    left join bands
        on
            all_scores.instrument = bands.instrument
            and (all_scores.scale = bands.scale or bands.scale = '*')
            and all_scores.score between bands.score_min and bands.score_max
    where all_scores.score is not null
)

select * from final
