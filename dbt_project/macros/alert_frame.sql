{#- The data days a NO-DATA gap reaching into the alert frame can start or end on: every day from
    the frame on, and each patient's last day before it (null frame: every day). `days` is a CTE of
    (`key`, day, loaded_at) rows, one or more per day; `frame` a CTE with frame_day. One row per
    patient and day, with the newest load of that day. -#}
{% macro days_reaching_into_frame(days, key) -%}
    select
        {{ days }}.{{ key }},
        {{ days }}.day,
        max({{ days }}.loaded_at) as loaded_at
    from {{ days }}
    cross join frame
    where frame.frame_day is null or {{ days }}.day >= frame.frame_day
    group by {{ days }}.{{ key }}, {{ days }}.day
    union all
    select
        {{ key }},
        struct_extract(last_day, 'day') as day,
        struct_extract(last_day, 'loaded_at') as loaded_at
    from (
        -- the latest day, with the newest load of that day
        select
            {{ days }}.{{ key }},
            max(struct_pack({{ days }}.day, {{ days }}.loaded_at)) as last_day
        from {{ days }}
        cross join frame
        where {{ days }}.day < frame.frame_day
        group by {{ days }}.{{ key }}
    ) as last_days
{%- endmacro %}
