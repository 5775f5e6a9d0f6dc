{#- `unique` for the big row-per-load tables: fails on every value that occurs more than once, among
    the values of the rows loaded since the last tested run (loaded_since_last_tested). Those are
    counted over all the table's rows, so a new row repeating an old one is caught without grouping
    the whole history. Without the scope (a manual or first build) every value is checked.
    Tables without a load time (the OMOP tables carry only CDM columns) name their rows' day
    (`day`) and the table they are rebuilt from (`loads`, whose `loads_day` expression dates its
    rows): the new rows are those dated from the earliest day of the rows `loads` received since
    the last tested run, which is every row an incremental run inserts (but those of a re-consented
    patient's history, which a manual build checks). Unscoped, only the values whose 64-bit hash
    repeats are grouped (repeated_hashes). -#}
{% test unique_with_new_rows(model, column_name, loaded_at='loaded_at', day=none, loads=none, loads_day=none) %}
select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where
    {{ column_name }} is not null
    {%- if var('data_tests_loaded_after', none) %}
        and {{ column_name }} in (
            select new_rows.{{ column_name }} from {{ model }} as new_rows
            {%- if loads is not none %}
                where new_rows.{{ day }} >= (
                    select min({{ loads_day }}) from {{ loads }} as loads
                    where {{ loaded_since_last_tested('loads.loaded_at') }}
                )
            {%- else %}
                where {{ loaded_since_last_tested('new_rows.' ~ loaded_at) }}
            {%- endif %}
        )
    {%- else %}
        and {{ repeated_hashes([column_name], model) }}
    {%- endif %}
group by {{ column_name }}
having count(*) > 1
{% endtest %}
