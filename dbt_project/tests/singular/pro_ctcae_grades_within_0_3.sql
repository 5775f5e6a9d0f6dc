-- PRO-CTCAE composite grades (and their per-response average) are 0-3; PHQ-9 0-27, GAD-7 0-21;
-- ESAS-r and DT items 0-10. Over the scores loaded since the last tested run (all in a manual build).
select *
from {{ ref('prom_scores') }}
where
    {{ loaded_since_last_tested() }}
    and (
        (instrument = 'pro-ctcae' and score not between 0 and 3)
        or (instrument = 'phq-9' and score not between 0 and 27)
        or (instrument = 'gad-7' and score not between 0 and 21)
        or (instrument in ('esas-r', 'distress-thermometer') and score not between 0 and 10)
    )
