-- The latest day the warehouse holds data for: "today" for every as-of calculation, so that a
-- rebuild of the same data gives the same answer whatever the wall clock says.
with data_days as (
    select max(day) as last_day from {{ ref('int_device_days') }}
    union all
    select {{ utc_date('max(authored_at)') }} from {{ ref('int_prom_answers_mapped') }}
),

horizon as (
    select max(last_day) as as_of_day from data_days
)

select * from horizon
