{#- Fails on every combination of the columns that occurs more than once: the model's grain. With
    `loaded_at` (a column stamping when each row was written, as every row of a response carries its
    version's load time) and a test scope (loaded_since_last_tested), only the combinations among
    the rows loaded since the last tested run are checked, counted over all the table's rows, so a
    new row repeating an old one is still caught. Without the scope every combination is checked,
    grouping only those whose 64-bit hash repeats (repeated_hashes). -#}
{% test unique_combination(model, columns, loaded_at=none) %}
select {{ columns | join(', ') }}, count(*) as n_rows
from {{ model }} as all_rows
{%- if loaded_at and var('data_tests_loaded_after', none) %}
    where exists (
        select 1 from {{ model }} as new_rows
        where
            {{ loaded_since_last_tested('new_rows.' ~ loaded_at) }}
            {%- for column in columns %}
                and new_rows.{{ column }} = all_rows.{{ column }}
            {%- endfor %}
    )
{%- else %}
    where {{ repeated_hashes(columns, model) }}
{%- endif %}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
