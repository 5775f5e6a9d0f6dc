{#- Incremental strategy `replace_where`: delete every target row matching the model's `replace_where`
    predicate, then insert the freshly built rows. Unlike delete+insert on a unique key, rows that
    vanished from the recomputed frame (a closed data gap, a corrected reading) go too.
    Placeholders: {target} is the model's table, {frame} the `frame_model` (config) relation. The
    predicate must select exactly the rows the model rebuilds; it runs before the insert, so it sees
    the target as the model's query saw it. -#}
{% macro get_incremental_replace_where_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set predicate = config.require('replace_where') | replace('{target}', target | string) -%}
    {%- if config.get('frame_model') -%}
        {%- set predicate = predicate | replace('{frame}', ref(config.get('frame_model')) | string) -%}
    {%- endif %}
    delete from {{ target }} where {{ predicate }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
