{#- `unique` for the big row-per-load tables: fails on every value that occurs more than once, among
    the values of the rows loaded since the last tested run (loaded_since_last_tested). Those are
    counted over all the table's rows, so a new row repeating an old one is caught without grouping
    the whole history. Without the scope (a manual or first build) every value is checked. -#}
{% test unique_with_new_rows(model, column_name, loaded_at='loaded_at') %}
select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where
    {{ column_name }} is not null
    {%- if var('data_tests_loaded_after', none) %}
        and {{ column_name }} in (
            select new_rows.{{ column_name }} from {{ model }} as new_rows
            where {{ loaded_since_last_tested('new_rows.' ~ loaded_at) }}
        )
    {%- endif %}
group by {{ column_name }}
having count(*) > 1
{% endtest %}
