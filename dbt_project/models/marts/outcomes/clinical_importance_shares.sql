-- One row per cancer type, centre, instrument and scale: the share of patients whose latest score
-- is past the clinical-importance threshold (QLQ-C30: Giesinger 2020; PHQ-9, GAD-7, DT: referral cut-offs).
with scores as (
    select * from {{ ref('prom_scores') }}
),

latest_scores as (
    select * from scores
    qualify row_number() over (partition by patient_key, instrument, scale order by authored_at desc) = 1
),

thresholds as (
    select * from {{ ref('clinical_importance_thresholds') }}
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
