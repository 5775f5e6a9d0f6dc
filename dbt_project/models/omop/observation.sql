-- OMOP CDM v5.4 OBSERVATION: patient-reported scores (one row per response and scale). PHQ-9 and
-- GAD-7 totals carry their LOINC codes (44261-6, 70274-6) as source values.
with scores as (
    select * from {{ ref('prom_scores') }}
),

loinc_totals as (
    select
        'phq-9' as instrument,
        'total' as scale,
        '44261-6' as loinc_code
    union all
    select
        'gad-7' as instrument,
        'total' as scale,
        '70274-6' as loinc_code
),

concepts as (
    select * from {{ ref('omop_concepts') }}
    where vocabulary_id = 'LOINC'
),

final as (
    select
        {{ omop_id("sha256(concat_ws('|', 'observation', scores.response_id, scores.scale))") }}
            as observation_id,
        {{ omop_id('scores.patient_key') }} as person_id,
        coalesce(concepts.concept_id, 0) as observation_concept_id,
        cast(scores.authored_at as date) as observation_date,
        cast(scores.authored_at as timestamp) as observation_datetime,
        32865 as observation_type_concept_id,
        scores.score as value_as_number,
        scores.band as value_as_string,
        0 as value_as_concept_id,
        0 as qualifier_concept_id,
        0 as unit_concept_id,
        cast(null as bigint) as provider_id,
        cast(null as bigint) as visit_occurrence_id,
        cast(null as bigint) as visit_detail_id,
        coalesce(loinc_totals.loinc_code, scores.instrument || ':' || scores.scale) as observation_source_value,
        0 as observation_source_concept_id,
        scores.score_kind as unit_source_value,
        cast(null as varchar) as qualifier_source_value,
        cast(round(scores.score, 2) as varchar) as value_source_value,
        cast(null as bigint) as observation_event_id,
        0 as obs_event_field_concept_id
    from scores
    left join loinc_totals
        on
            scores.instrument = loinc_totals.instrument
            and scores.scale = loinc_totals.scale
    left join concepts on loinc_totals.loinc_code = concepts.concept_code
    where {{ research_permitted('scores.patient_key') }}
)

select * from final
