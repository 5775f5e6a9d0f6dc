-- QLQ-C30 summary score (Giesinger et al. 2016): mean of the 13 scales flagged in_summary_score,
-- symptom scales reversed (100 - score); only when all 13 are present.
-- Incremental per response, as every scoring table (dbt_project.yml, intermediate/proms/scores).
-- depends_on: {{ ref('int_prom_responses') }}
with scales as (
    select * from {{ ref('int_qlq_c30_scales_scored') }}
    where
        in_summary_score
        and {{ loaded_since_last_build() }}
),

summarised as (
    select
        response_id,
        any_value(patient_id) as patient_id,
        any_value(authored_at) as authored_at,
        max(loaded_at) as loaded_at,
        count(*) as n_scales,
        count(score) as n_scored,
        avg(case when scale_kind = 'symptom' then 100 - score else score end) as mean_score
    from scales
    group by response_id
),

summary as (
    select
        response_id,
        patient_id,
        authored_at,
        loaded_at,
        'SUM' as scale,
        n_scales,
        n_scored,
        case when n_scored = n_scales then round(mean_score, 6) end as score
    from summarised
)

select * from summary
