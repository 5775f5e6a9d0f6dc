{#- Fails on every non-null value outside [min_value, max_value] (no hub packages: dbt_utils-free). -#}
{% test range_between(model, column_name, min_value, max_value) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
