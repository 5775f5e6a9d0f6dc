-- One row per cancer type, centre, instrument and scale: the share of patients whose latest score
-- is past the clinical-importance threshold (QLQ-C30: Giesinger 2020; PHQ-9, GAD-7, DT: referral cut-offs).
with thresholds as (
    select * from {{ ref('clinical_importance_thresholds') }}
),

latest_scores as (
    -- each patient's latest score of each scale with a threshold, as an aggregate (no window sorting
    -- every score); of two responses authored at the same instant the greater response id wins, so a
    -- rebuild picks the same one (arg_max_null: a latest score that is null stays null)
    select
        scores.patient_key,
        scores.instrument,
        scores.scale,
        arg_max_null(scores.score, struct_pack(scores.authored_at, scores.response_id)) as score
    from {{ ref('prom_scores') }} as scores
    where exists (
            select 1 from thresholds
            where
                scores.instrument = thresholds.instrument
                and scores.scale = thresholds.scale
        )
    group by scores.patient_key, scores.instrument, scores.scale
),

patients as (
    select * from {{ ref('patients') }}
),

judged as (
    select
        patients.cancer_type,
        patients.centre_id,
        latest_scores.instrument,
        latest_scores.scale,
        latest_scores.patient_key,
        thresholds.threshold,
        thresholds.direction,
        case
            when thresholds.direction = 'below' then latest_scores.score < thresholds.threshold
            else latest_scores.score >= thresholds.threshold
        end as is_clinically_important
    from latest_scores
    inner join thresholds
        on
            latest_scores.instrument = thresholds.instrument
            and latest_scores.scale = thresholds.scale
    inner join patients on latest_scores.patient_key = patients.patient_key
    where {{ research_permitted('latest_scores.patient_key') }}
),

final as (
    select
        cancer_type,
        centre_id,
        instrument,
        scale,
        any_value(threshold) as threshold,
        any_value(direction) as direction,
        count(*) as n_patients,
        count(*) filter (where is_clinically_important) as n_clinically_important,
        count(*) filter (where is_clinically_important) / count(*) as share_clinically_important
    from judged
    group by cancer_type, centre_id, instrument, scale
)

select * from final
