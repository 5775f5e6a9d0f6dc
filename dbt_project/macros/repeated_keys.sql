{#- The keys of `relation` that more than one row carries. Where most keys are carried once, ranking
    only these rows (a semi join on them, then a window) costs far less than a window over millions of
    one-row partitions; the rows of every other key pass through an anti join unranked. The keys are
    grouped only where their 64-bit hash repeats (repeated_hashes): at 10,000 patients, grouping the
    (response, linkId) strings of 11.5 M answers cost 4.6 CPU s, and the model about 1.5 s more than
    this (the Observation ids of the readings: about 0.9 s). -#}
{% macro repeated_keys(relation, columns) -%}
    select {{ columns | join(', ') }}
    from {{ relation }}
    where {{ repeated_hashes(columns, relation) }}
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
