{{ config(materialized='table') }}
-- The frame an incremental alert build recomputes: findings at or after frame_from (the earliest day
-- of daily readings or responses loaded, changed or withdrawn since the previous build) are rebuilt,
-- older ones are kept.
-- Every rule looks only backwards, at most var('max_lookback_days') for the framed inputs, so a
-- finding before frame_from cannot change; NO-DATA gaps reaching into the frame are measured again
-- (an open gap grows with the data horizon). Null frame_from = a full build. The watermark is the
-- newest source load the previous build of int_alert_findings saw (read by name: that model depends
-- on this one), read when this model compiles: as a literal it lets DuckDB skip the row groups
-- loaded before it.
{%- set findings = adapter.get_relation(database=this.database, schema=this.schema, identifier='int_alert_findings')
    if execute and not flags.FULL_REFRESH else none %}
{%- set incremental = findings is not none and findings.is_table %}
{%- set watermark = run_query('select cast(max(source_loaded_at) as varchar) from ' ~ findings).columns[0].values()[0]
    if incremental else none %}
with source_loads as (
    -- every reading, usable or not (a withdrawn reading's day may have no daily value left)
    select
        day,
        loaded_at
    from {{ ref('int_telemonitoring_readings_normalised') }}
    union all
    -- every response whose current version is new, withdrawn ones included, from the earliest day
    -- any of its versions was authored (where its old findings lie)
    select
        first_authored_day as day,
        loaded_at
    from {{ ref('int_prom_responses') }}
),

{% if incremental -%}
    frame as (
        select
            -- nothing new: an empty frame (nothing is rebuilt)
            coalesce(min(source_loads.day), date '9999-12-31') as frame_day
        from source_loads
        {%- if watermark %}
            where source_loads.loaded_at > timestamptz '{{ watermark }}'
        {%- endif %}
    ),
{%- else -%}
    frame as (
        select cast(null as date) as frame_day
    ),
{%- endif %}

final as (
    select
        frame.frame_day,
        cast(frame.frame_day as timestamptz) as frame_from,
        frame.frame_day - {{ var('max_lookback_days') }} as input_from_day,
        {%- if watermark %}
            -- nothing loaded since keeps the watermark (no older load can be newer)
            coalesce(
                (select max(source_loads.loaded_at) from source_loads where source_loads.loaded_at > timestamptz '{{ watermark }}'),
                timestamptz '{{ watermark }}'
            ) as source_loaded_at
        {%- else %}
            (select max(source_loads.loaded_at) from source_loads) as source_loaded_at
        {%- endif %}
    from frame
)

select * from final
