-- Instruments scored item by item: ESAS-r (nine symptoms, 0-10) and the Distress Thermometer (0-10).
-- Incremental per response, as every scoring table (dbt_project.yml, intermediate/proms/scores).
-- depends_on: {{ ref('int_prom_responses') }}
with answers as (
    select * from {{ ref('int_prom_answers_mapped') }}
    where
        instrument in ('esas-r', 'distress-thermometer')
        and {{ loaded_since_last_build() }}
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
