-- A metric may have several LOINC codes (oxygen saturation has two), but one unit and one daily
-- aggregate: telemonitoring_daily numbers the metrics of macros/metric_catalogue.sql, and a second
-- unit or aggregate would give a day two rows.
select metric
from ({{ metric_catalogue() }})
group by metric
having count(*) > 1
