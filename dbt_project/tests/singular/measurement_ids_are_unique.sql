-- omop.measurement's ids are unique by construction (macros/omop_measurement.sql): the series id
-- (a multiple of 2^16) plus the day's number modulo 2^16, and telemonitoring_daily has one row per
-- patient, metric and day (tested there). They stay unique while no two series share an id and no
-- series spans 2^16 days or more (the whole table's span is checked: a bound on every series'),
-- which this checks on the 100,000 series of 10,000 patients instead of counting the view's 27 M
-- ids (11 s of an incremental build). An id is null only where its series' id or its day is, which
-- this checks too (telemonitoring_daily does not test its days for null).
with series as (
    {{ measurement_series() }}
),

problems as (
    select
        'two series share an id' as problem,
        cast(series_id as varchar) as detail
    from series
    group by series_id
    having count(*) > 1
    union all
    select
        'a series without an id' as problem,
        patient_key || ' ' || metric as detail
    from series
    where series_id is null or person_id is null
    union all
    select
        'a day without a date' as problem,
        patient_key || ' ' || metric as detail
    from {{ ref('telemonitoring_daily') }}
    where day is null
    union all
    select
        'the days span 2^16 or more' as problem,
        cast(min(day) as varchar) || ' to ' || cast(max(day) as varchar) as detail
    from {{ ref('telemonitoring_daily') }}
    having max(day) - min(day) >= 65536
)

select * from problems
