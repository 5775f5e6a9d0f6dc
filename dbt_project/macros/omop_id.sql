{#- A stable OMOP integer id from a hex digest (the first 60 bits): the same input always gives the
    same id, so research extracts can be refreshed without renumbering. -#}
{% macro omop_id(hex_expr) -%}
    cast('0x' || left({{ hex_expr }}, 15) as bigint)
{%- endmacro %}

{#- OMOP's value_source_value of a numeric value: the value as text, to 2 decimal places. Rounded to 9
    places first: a sum added in another order differs in the last bits, which must not flip a
    half-cent. Worked out when the omop views are read, not stored: formatting and storing it cost 8
    CPU seconds of a full build at 10,000 patients. -#}
{% macro omop_value_source_value(value) -%}
    cast(round(round({{ value }}, 9), 2) as varchar)
{%- endmacro %}
