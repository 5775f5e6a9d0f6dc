{#- Helpers of the incremental models whose sources send new versions of what they already sent: a
    newer version replaces the old rows, and one that withdraws them (entered-in-error, cancelled,
    stopped, or simply without the values) must remove them, which delete+insert on the keys of the
    new rows alone cannot do. -#}

{#- The newest source load an incremental model holds, as a timestamptz literal read when the model
    is compiled, before its pre-hooks change the table (-infinity when it holds nothing); none on a
    full build. A literal also lets DuckDB skip old raw rows before parsing their JSON. -#}
{% macro compiled_watermark(column='loaded_at') -%}
    {%- if execute and is_incremental() -%}
        {%- set newest = run_query(
            "select coalesce(cast(max(" ~ column ~ ") as varchar), '-infinity') from " ~ this) -%}
        {{- return("timestamptz '" ~ newest.columns[0].values()[0] ~ "'") -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}

{#- Pre-hook of int_prom_answers_mapped, the scoring tables (intermediate/proms/scores) and
    prom_scores: remove every response whose current version was loaded since the model's last run.
    The run inserts the rows of those still scored; a withdrawn one stays removed. -#}
{% macro drop_changed_responses() -%}
    {%- set watermark = compiled_watermark() -%}
    {% if watermark -%}
        {%- set changed = changed_responses_span(watermark) -%}
        {%- if changed.n > 0 %}
            delete from {{ this }}
            where
                response_id in ({{ changed_response_keys(watermark) }})
                {%- if changed.first_day %}
                    and (authored_at is null or authored_at >= timestamptz '{{ changed.first_day }}')
                {%- endif %}
        {%- endif %}
    {%- endif %}
{%- endmacro %}

{#- How many responses have a current version loaded after `watermark` (n), and the earliest day
    any of their versions was authored (first_day; none without an authored time): every row of
    those responses, old versions' included, lies on or after it, so a delete given it as a literal
    skips the older rows before probing their ids. Read when the hook runs. -#}
{% macro changed_responses_span(watermark) -%}
    {%- set found = run_query(
        "select count(*), cast(min(first_authored_day) as varchar) from " ~ ref('int_prom_responses')
        ~ " where loaded_at > " ~ watermark) -%}
    {{- return({'n': found.rows[0][0], 'first_day': found.rows[0][1]}) -}}
{%- endmacro %}

{#- The responses whose current version was loaded after `watermark`, keyed as the models
    downstream of int_prom_answers_mapped key them (resource_key). -#}
{% macro changed_response_keys(watermark) -%}
    select {{ resource_key('QuestionnaireResponse', 'responses.response_id') }} as response_id
    from {{ ref('int_prom_responses') }} as responses
    where responses.loaded_at > {{ watermark }}
{%- endmacro %}

{#- Pre-hook of int_telemonitoring_readings_normalised: mark the rows of every Observation with a
    version loaded since the last run as withdrawn, at that version's load time. The run replaces the
    readings the current version carries; any other stays withdrawn, and its day is rebuilt
    downstream (telemonitoring_daily reads every row loaded since its own last run). -#}
{% macro withdraw_changed_observations() -%}
    {%- set watermark = compiled_watermark() -%}
    {% if watermark -%}
        update {{ this }}
        set
            rejection_reason = 'withdrawn',
            loaded_at = changed.loaded_at
        from (
            select
                observation_id,
                max(loaded_at) as loaded_at
            from {{ ref('stg_fhir__observations') }}
            where loaded_at > {{ watermark }}
            group by observation_id
        ) as changed
        where
            {{ this }}.source_kind = 'fhir'
            and split_part({{ this }}.reading_id, ':', 2) = changed.observation_id
    {%- endif %}
{%- endmacro %}

{#- The patient-metric series telemonitoring_daily rebuilds, from the earliest day of any reading
    (used, rejected or withdrawn) loaded since its last run. -#}
{% macro telemonitoring_rebuild_from(watermark) -%}
    select
        patient_id,
        metric,
        min(day) as from_day
    from {{ ref('int_telemonitoring_readings_normalised') }}
    where loaded_at > {{ watermark }}
    group by patient_id, metric
{%- endmacro %}

{#- The earliest day of a telemonitoring reading (used, rejected or withdrawn) loaded after
    `watermark`, as a date literal's text read when called (compile or hook time), so filters on it
    let DuckDB skip older rows first; none when nothing was loaded. -#}
{% macro first_reading_day_since(watermark) -%}
    {{- return(run_query(
        "select cast(min(day) as varchar) from " ~ ref('int_telemonitoring_readings_normalised')
        ~ " where loaded_at > " ~ watermark
    ).columns[0].values()[0]) -}}
{%- endmacro %}

{#- The days telemonitoring_daily rebuilds, by patient_key: per metric (`per_metric`), or per patient
    from the earliest of its metrics' days (the days with any value, int_device_days). -#}
{% macro telemonitoring_rebuilt_days(watermark, per_metric=true) -%}
    select
        patient_keys.patient_key,
        {%- if per_metric %}
            rebuild_from.metric,
            rebuild_from.from_day
        {%- else %}
            min(rebuild_from.from_day) as from_day
        {%- endif %}
    from ({{ telemonitoring_rebuild_from(watermark) }}) as rebuild_from
    inner join {{ ref('int_patient_keys') }} as patient_keys
        on rebuild_from.patient_id = patient_keys.patient_id
    {%- if not per_metric %}
        group by patient_keys.patient_key
    {%- endif %}
{%- endmacro %}

{#- Pre-hook of telemonitoring_daily (per metric) and int_device_days: remove the days about to be
    rebuilt, so a day left without usable readings goes rather than keeping its old value. -#}
{% macro drop_rebuilt_days(per_metric=true) -%}
    {%- set watermark = compiled_watermark() -%}
    {% if watermark -%}
        delete from {{ this }}
        using ({{ telemonitoring_rebuilt_days(watermark, per_metric) }}) as scope
        where
            {{ this }}.patient_key = scope.patient_key
            {%- if per_metric %}
                and {{ this }}.metric = scope.metric
            {%- endif %}
            and {{ this }}.day >= scope.from_day
    {%- endif %}
{%- endmacro %}
