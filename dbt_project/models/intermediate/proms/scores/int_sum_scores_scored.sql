-- PHQ-9 and GAD-7 totals (CLINICAL_SPEC 1.2): sum of the items, only when every item is answered;
-- the PHQ-9 item 9 value is kept whatever the total, since any answer above 0 needs same-day review.
-- Incremental per response, as every scoring table (dbt_project.yml, intermediate/proms/scores).
-- depends_on: {{ ref('int_prom_responses') }}
with answers as (
    select * from {{ ref('int_prom_answers_mapped') }}
    where
        instrument in ('phq-9', 'gad-7')
        and {{ loaded_since_last_build() }}
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
