{#- Predicate of the unique tests over a whole big table: the row's columns hash (64-bit) to a value
    more than one row hashes to. Sorting the 8-byte hashes and comparing each with the one before
    costs far less than grouping the strings themselves, and about half as much as grouping the
    hashes (a hash table of millions of one-row groups; at 10,000 patients the 27 M device readings'
    content hashes took 7.5 CPU s grouped, 3.4 sorted). Every repeated value repeats its hash, so the
    test then groups the few candidates (real repeats and hash collisions) by the columns and stays
    exact. -#}
{% macro repeated_hashes(columns, model) -%}
    hash({{ columns | join(', ') }}) in (
        select row_hash from (select hash({{ columns | join(', ') }}) as row_hash from {{ model }})
        qualify row_hash = lag(row_hash) over (order by row_hash)
    )
{%- endmacro %}
