{#- Predicate of the unique tests over a whole big table: the row's columns hash (64-bit) to a value
    more than one row hashes to. Grouping 8-byte hashes costs far less than grouping the strings
    themselves; every repeated value repeats its hash, so the test then groups the few candidates
    (real repeats and hash collisions) by the columns and stays exact. -#}
{% macro repeated_hashes(columns, model) -%}
    hash({{ columns | join(', ') }}) in (
        select hash({{ columns | join(', ') }}) from {{ model }}
        group by all
        having count(*) > 1
    )
{%- endmacro %}
