-- PRO-CTCAE composite grade 0-3 per response and symptom (Basch et al. 2021, CLINICAL_SPEC 1.3),
-- looked up in the pro_ctcae_composite_grades seed. Excluded answers (not applicable, prefer not to
-- answer) leave the grade missing, never 0; when the first attribute is 0 the follow-ups, not asked,
-- count as 0.
-- Incremental per response, as every scoring table (dbt_project.yml, intermediate/proms/scores).
-- depends_on: {{ ref('int_prom_responses') }}
with answers as (
    select * from {{ ref('int_prom_answers_mapped') }}
    where
        instrument = 'pro-ctcae'
        and {{ loaded_since_last_build() }}
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
