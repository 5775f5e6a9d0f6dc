{#- The keys of `relation` that more than one row carries. Where most keys are carried once, ranking
    only these rows (a semi join on them, then a window) costs far less than a window over millions of
    one-row partitions; the rows of every other key pass through an anti join unranked. -#}
{% macro repeated_keys(relation, columns) -%}
    select {{ columns | join(', ') }}
    from {{ relation }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{%- endmacro %}

{#- Join condition of `left` and `right` on `columns`, null-safe (a null key matches a null key), so the
    anti and semi joins on repeated_keys split the rows exactly. -#}
{% macro keys_match(left, right, columns) -%}
    {%- for column in columns -%}
        {{ left }}.{{ column }} is not distinct from {{ right }}.{{ column }}
        {%- if not loop.last %} and {% endif -%}
    {%- endfor -%}
{%- endmacro %}
