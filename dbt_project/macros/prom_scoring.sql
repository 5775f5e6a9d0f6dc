{#- The PROM scoring rules (CLINICAL_SPEC section 1), one macro per instrument family, over a
    relation of answers shaped like int_prom_answers_mapped (scales: like int_qlq_c30_scales_scored).
    The int_* scoring views apply them to every answer; prom_scores, on an incremental run, to the
    answers loaded since its last run only: a filter DuckDB cannot push down through the scoring
    aggregates of a view, so reading the views would score every response on every run. -#}

{#- EORTC QLQ-C30 v3.0 scale scores per response (CLINICAL_SPEC 1.1): raw score = mean of the
    answered items; a scale is scored when at least half of its items are answered, else it is
    missing. -#}
{% macro score_qlq_c30_scales(answers) -%}
with answers as (
    select * from {{ answers }}
    where instrument = 'qlq-c30'
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
{%- endmacro %}

{#- QLQ-C30 summary score (Giesinger et al. 2016): mean of the 13 scales flagged in_summary_score,
    symptom scales reversed (100 - score); only when all 13 are present. -#}
{% macro score_qlq_c30_summary(scales) -%}
with scales as (
    select * from {{ scales }}
    where in_summary_score
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
{%- endmacro %}

{#- PHQ-9 and GAD-7 totals (CLINICAL_SPEC 1.2): sum of the items, only when every item is answered;
    the PHQ-9 item 9 value is kept whatever the total, since any answer above 0 needs same-day
    review. -#}
{% macro score_sum_scores(answers) -%}
with answers as (
    select * from {{ answers }}
    where instrument in ('phq-9', 'gad-7')
),

item_counts as (
    select
        instrument,
        count(*) as n_items
    from {{ ref('instrument_items') }}
    where instrument in ('phq-9', 'gad-7')
    group by instrument
),

totals as (
    select
        answers.response_id,
        answers.instrument,
        any_value(answers.patient_id) as patient_id,
        any_value(answers.authored_at) as authored_at,
        max(answers.loaded_at) as loaded_at,
        count(answers.item_value) as n_answered,
        sum(answers.item_value) as item_sum,
        max(case when answers.instrument = 'phq-9' and answers.item_number = 9 then answers.item_value end)
            as item9_value
    from answers
    group by answers.response_id, answers.instrument
),

scored as (
    select
        totals.response_id,
        totals.instrument,
        totals.patient_id,
        totals.authored_at,
        totals.loaded_at,
        'total' as scale,
        item_counts.n_items,
        totals.n_answered,
        case when totals.n_answered = item_counts.n_items then totals.item_sum end as score,
        totals.item9_value
    from totals
    inner join item_counts on totals.instrument = item_counts.instrument
)

select * from scored
{%- endmacro %}

{#- Instruments scored item by item: ESAS-r (nine symptoms, 0-10) and the Distress Thermometer
    (0-10). -#}
{% macro score_single_items(answers) -%}
with answers as (
    select * from {{ answers }}
    where instrument in ('esas-r', 'distress-thermometer')
),

scored as (
    select
        response_id,
        instrument,
        patient_id,
        authored_at,
        loaded_at,
        scale,
        item_value as score
    from answers
    where answer_status = 'answered'
)

select * from scored
{%- endmacro %}

{#- PRO-CTCAE composite grade 0-3 per response and symptom (Basch et al. 2021, CLINICAL_SPEC 1.3),
    looked up in the pro_ctcae_composite_grades seed. Excluded answers (not applicable, prefer not
    to answer) leave the grade missing, never 0; when the first attribute is 0 the follow-ups, not
    asked, count as 0. -#}
{% macro grade_pro_ctcae_composites(answers) -%}
with answers as (
    select * from {{ answers }}
    where instrument = 'pro-ctcae'
),

attribute_order as (
    -- table order of the attributes; interference and amount share the third place
    select
        unnest(['frequency', 'severity', 'interference', 'amount', 'presence']) as attribute,
        unnest([1, 2, 3, 3, 4]) as attribute_rank
),

symptom_attribute_sets as (
    -- which attributes a symptom has is a property of the instrument, not of what was answered
    select
        items.scale as symptom,
        string_agg(items.attribute, '+' order by attribute_order.attribute_rank) as attribute_set,
        arg_min(items.attribute, attribute_order.attribute_rank) as first_attribute
    from {{ ref('instrument_items') }} as items
    inner join attribute_order on items.attribute = attribute_order.attribute
    where items.instrument = 'pro-ctcae'
    group by items.scale
),

grade_table as (
    select * from {{ ref('pro_ctcae_composite_grades') }}
    qualify table_version = max(table_version) over ()
),

symptom_answers as (
    select
        answers.response_id,
        answers.scale as symptom,
        any_value(answers.patient_id) as patient_id,
        any_value(answers.authored_at) as authored_at,
        max(answers.loaded_at) as loaded_at,
        max(case when answers.attribute = 'frequency' then answers.item_value end) as frequency,
        max(case when answers.attribute = 'severity' then answers.item_value end) as severity,
        max(case when answers.attribute in ('interference', 'amount') then answers.item_value end)
            as interference,
        max(case when answers.attribute = 'presence' then answers.item_value end) as presence,
        count(*) filter (where answers.answer_status = 'answered') as n_answered,
        count(*) filter (where answers.answer_status in ('not-applicable', 'prefer-not-to-answer'))
            as n_excluded
    from answers
    group by answers.response_id, answers.scale
),

with_sets as (
    select
        symptom_answers.*,
        attribute_sets.attribute_set,
        attribute_sets.first_attribute,
        case attribute_sets.first_attribute
            when 'frequency' then symptom_answers.frequency
            when 'severity' then symptom_answers.severity
            when 'presence' then symptom_answers.presence
            else symptom_answers.interference
        end as first_value,
        len(string_split(attribute_sets.attribute_set, '+')) as n_attributes
    from symptom_answers
    inner join symptom_attribute_sets as attribute_sets on symptom_answers.symptom = attribute_sets.symptom
),

lookup_keys as (
    -- the answered attributes in table order; first attribute 0 makes every follow-up 0
    select
        *,
        list_filter(
            [
                case when contains(attribute_set, 'frequency') then coalesce(frequency, -1) end,
                case when contains(attribute_set, 'severity') then coalesce(severity, -1) end,
                case
                    when contains(attribute_set, 'interference') or contains(attribute_set, 'amount')
                        then coalesce(interference, -1)
                end,
                case when contains(attribute_set, 'presence') then coalesce(presence, -1) end
            ],
            lambda x: x is not null
        ) as attribute_values
    from with_sets
),

keyed as (
    select
        *,
        case
            when first_value = 0 then 'graded'
            when list_min(attribute_values) >= 0 then 'graded'
            when n_excluded > 0 then 'excluded'
            else 'incomplete'
        end as grade_status,
        case when first_value = 0 then 0 else attribute_values[2] end as second_key,
        case when first_value = 0 then 0 else attribute_values[3] end as third_key
    from lookup_keys
),

graded as (
    select
        keyed.response_id,
        keyed.patient_id,
        keyed.authored_at,
        keyed.loaded_at,
        keyed.symptom,
        keyed.attribute_set,
        keyed.frequency,
        keyed.severity,
        keyed.interference,
        keyed.presence,
        keyed.grade_status,
        case when keyed.grade_status = 'graded' then grade_table.composite_grade end as composite_grade
    from keyed
    left join grade_table
        on
            keyed.attribute_set = grade_table.attribute_set
            and keyed.first_value = grade_table.first_value
            and (keyed.n_attributes < 2 or keyed.second_key = grade_table.second_value)
            and (keyed.n_attributes < 3 or keyed.third_key = grade_table.third_value)
)

select * from graded
{%- endmacro %}
