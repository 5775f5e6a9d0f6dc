-- OMOP CDM v5.4 OBSERVATION_PERIOD: one row per person, from the first to the last day with data.
with data_days as (
    select
        patient_key,
        day
    from {{ ref('int_device_days') }}
    union all
    select
        patient_key,
        {{ utc_date('authored_at') }} as day
    from {{ ref('prom_scores') }}
),

spans as (
    select
        patient_key,
        min(day) as start_date,
        max(day) as end_date
    from data_days
    where {{ research_permitted('patient_key') }}
    group by patient_key
),

final as (
    select
        {{ omop_id("sha256('observation_period|' || patient_key)") }} as observation_period_id,
        {{ omop_id('patient_key') }} as person_id,
        start_date as observation_period_start_date,
        end_date as observation_period_end_date,
        32865 as period_type_concept_id
    from spans
)

select * from final
