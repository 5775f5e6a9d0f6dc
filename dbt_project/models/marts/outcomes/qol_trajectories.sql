-- One row per cancer type, centre, time-since-diagnosis band and QLQ-C30 scale: the cohort's
-- quality-of-life trajectory, with the share of patients past the clinical-importance threshold.
-- Counts are raw: analyst views apply small-cell suppression (ARCHITECTURE.md decision 7).
with scores as (
    select * from {{ ref('prom_scores') }}
    where instrument = 'qlq-c30'
),

patients as (
    select * from {{ ref('patients') }}
),

thresholds as (
    select * from {{ ref('clinical_importance_thresholds') }}
    where instrument = 'qlq-c30'
),

scored_in_time as (
    select
        patients.cancer_type,
        patients.centre_id,
        scores.patient_key,
        scores.scale,
        scores.score,
        date_diff('month', patients.diagnosis_date, {{ utc_date('scores.authored_at') }}) as months_since_diagnosis,
        case
            when thresholds.direction = 'below' then scores.score < thresholds.threshold
            when thresholds.direction = 'at_or_above' then scores.score >= thresholds.threshold
        end as is_clinically_important
    from scores
    inner join patients on scores.patient_key = patients.patient_key
    left join thresholds on scores.scale = thresholds.scale
    where {{ research_permitted('scores.patient_key') }}
),

banded as (
    select
        *,
        case
            when months_since_diagnosis < 6 then '0-5'
            when months_since_diagnosis < 12 then '6-11'
            when months_since_diagnosis < 24 then '12-23'
            when months_since_diagnosis < 60 then '24-59'
            else '60+'
        end as months_since_diagnosis_band,
        case
            when months_since_diagnosis < 6 then 1
            when months_since_diagnosis < 12 then 2
            when months_since_diagnosis < 24 then 3
            when months_since_diagnosis < 60 then 4
            else 5
        end as band_order
    from scored_in_time
    where months_since_diagnosis is not null
),

final as (
    select
        cancer_type,
        centre_id,
        months_since_diagnosis_band,
        any_value(band_order) as band_order,
        scale,
        count(distinct patient_key) as n_patients,
        count(*) as n_scores,
        avg(score) as mean_score,
        median(score) as median_score,
        avg(case when is_clinically_important then 1.0 else 0.0 end)
        filter (where is_clinically_important is not null) as share_clinically_important
    from banded
    group by cancer_type, centre_id, months_since_diagnosis_band, scale
)

select * from final
