{#- Models land in the schema they name (marts, omop, identity, ...), not <target>_<schema>:
    the dashboards, the backend and the checks read those names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
