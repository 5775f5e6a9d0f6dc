-- Every person_id omop.measurement carries is in omop.person (what a `relationships` test on the view
-- checks). The view's person_id is its series' (macros/omop_measurement.sql), the omop_id of the
-- day's patient_key, for the patients permitted for research; so its persons are those of the
-- permitted patients with a day in telemonitoring_daily, checked here on the 10,000 patients'
-- series instead of the view's 27 M rows (at 10,000 patients 0.75 CPU s against 3.1, in every build).
with series as (
    {{ measurement_series() }}
),

measured_persons as (
    select distinct series.person_id
    from series
    where
        series.patient_key in (select daily.patient_key from {{ ref('telemonitoring_daily') }} as daily)
        and {{ research_permitted('series.patient_key') }}
        -- a null id is measurement_ids_are_unique's to report, as relationships skips nulls
        and series.person_id is not null
)

select measured_persons.person_id
from measured_persons
where not exists (
    select 1 from {{ ref('person') }} as person
    where person.person_id = measured_persons.person_id
)
