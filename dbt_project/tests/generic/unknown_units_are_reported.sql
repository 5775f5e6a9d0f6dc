{#- Warns (configure severity: warn) with the number of readings whose unit has no conversion, one
    row per unit, so data in an unlisted unit is reported every build instead of disappearing. -#}
{% test unknown_units_are_reported(model, column_name) %}
select
    loinc_code,
    original_unit,
    count(*) as n_readings
from {{ model }}
where {{ column_name }} = 'unknown-unit'
group by loinc_code, original_unit
{% endtest %}
