-- Instruments scored item by item: ESAS-r (nine symptoms, 0-10) and the Distress Thermometer (0-10).
with answers as (
    select * from {{ ref('int_prom_answers_mapped') }}
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
