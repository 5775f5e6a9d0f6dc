{#- A stable OMOP integer id from a hex digest (the first 60 bits): the same input always gives the
    same id, so research extracts can be refreshed without renumbering. -#}
{% macro omop_id(hex_expr) -%}
    cast('0x' || left({{ hex_expr }}, 15) as bigint)
{%- endmacro %}
