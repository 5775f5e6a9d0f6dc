{#- Predicate on a raw row's load time for a model that reads raw rows incrementally: in an
    incremental run, only the rows loaded after the newest row the model already holds; `true`
    in a full build and in a view (every row). Raw rows only arrive with a later loaded_at
    (one writer, loads stamp now()), so nothing loaded earlier can be missed. -#}
{% macro loaded_since_last_build(column='loaded_at') -%}
    {%- if is_incremental() -%}
        {{ column }} > {{ compiled_watermark(column) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
