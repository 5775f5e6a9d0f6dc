{#- Helpers of the incremental OMOP table int_omop_observation (the stored columns of
    omop.observation, a view that adds the CDM's constant columns; omop.measurement is a view over
    telemonitoring_daily). It carries only CDM columns, so the source watermark each build read is
    kept beside it, in intermediate.incremental_watermarks (one row per model, written by a post-hook
    in the model's transaction), and read back when the model next compiles, before its pre-hooks.
    Every run the
    pre-hooks remove the rows of persons no longer permitted for research (a withdrawal, an objection,
    opt-in without a permit, an erased patient) and the rows of what changed upstream since the
    watermark; the model then inserts the changed rows and every row of a permitted person the table
    holds none of (a re-consent). Without a recorded watermark the table is emptied and rebuilt. -#}

{% macro watermark_relation() -%}
    {{- return(api.Relation.create(
        database=target.database, schema=generate_schema_name('intermediate', none),
        identifier='incremental_watermarks')) -}}
{%- endmacro %}

{#- on-run-start: create the watermark table before any model runs; a post-hook creating it while
    another model's transaction writes the catalog would conflict (a DuckDB catalog write-write
    conflict). -#}
{% macro create_watermark_table() -%}
    {%- set relation = watermark_relation() -%}
    create schema if not exists {{ relation.without_identifier() }};
    create table if not exists {{ relation }} (model varchar primary key, watermark timestamptz not null)
{%- endmacro %}

{#- The source watermark this model's last build recorded, as a timestamptz literal, read when the
    model compiles; none on a full build or when none was recorded. -#}
{% macro recorded_watermark() -%}
    {%- if execute and is_incremental() -%}
        {%- set relation = watermark_relation() -%}
        {%- set exists = run_query(
            "select count(*) from information_schema.tables where table_catalog = '" ~ relation.database
            ~ "' and table_schema = '" ~ relation.schema ~ "' and table_name = '" ~ relation.identifier ~ "'") -%}
        {%- if exists.columns[0].values()[0] > 0 -%}
            {%- set found = run_query(
                "select cast(watermark as varchar) from " ~ relation ~ " where model = '" ~ this.identifier ~ "'") -%}
            {%- if found.rows | length > 0 -%}
                {{- return("timestamptz '" ~ found.columns[0].values()[0] ~ "'") -}}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}

{#- Post-hook: record the newest load of `source_relation` this build has read. -#}
{% macro record_watermark(source_relation) -%}
    insert or replace into {{ watermark_relation() }}
    select '{{ this.identifier }}', coalesce(max(loaded_at), timestamptz '-infinity') from {{ source_relation }}
{%- endmacro %}

{#- The person_id (omop_id of patient_key) of every patient whose research use is permitted. -#}
{% macro omop_permitted_persons() -%}
    select {{ omop_id('patient_keys.patient_key') }} as person_id
    from {{ ref('int_patient_keys') }} as patient_keys
    where {{ research_permitted('patient_keys.patient_key') }}
{%- endmacro %}

{#- The permitted patients the table holds no row of (new, re-consented, or emptied by a pre-hook). -#}
{% macro omop_absent_patients() -%}
    select patient_keys.patient_key
    from {{ ref('int_patient_keys') }} as patient_keys
    where
        {{ research_permitted('patient_keys.patient_key') }}
        -- not in over the distinct ids: far cheaper than an anti-join probing every row of the table
        and {{ omop_id('patient_keys.patient_key') }} not in (
            select distinct omop_rows.person_id from {{ this }} as omop_rows
            where omop_rows.person_id is not null
        )
{%- endmacro %}

{#- Pre-hook of an OMOP table: without a recorded watermark, empty it; otherwise remove the rows of
    every person no longer permitted (withdrawn, objecting, or erased). -#}
{% macro drop_unpermitted_persons() -%}
    {% if execute and is_incremental() -%}
        {%- if recorded_watermark() -%}
            delete from {{ this }}
            where person_id not in ({{ omop_permitted_persons() }})
        {%- else -%}
            delete from {{ this }}
        {%- endif %}
    {%- endif %}
{%- endmacro %}

{#- Instrument totals with a LOINC code: their observation_source_value is the code, any other
    score's is instrument:scale. -#}
{% macro observation_loinc_totals() -%}
    select
        'phq-9' as instrument,
        'total' as scale,
        '44261-6' as loinc_code
    union all
    select
        'gad-7' as instrument,
        'total' as scale,
        '70274-6' as loinc_code
{%- endmacro %}

{#- Pre-hook of int_omop_observation (the stored part of omop.observation): remove every row of a
    changed response. The row ids hash response and scale, so the ids of the scales the table holds
    are computed for each changed response. Rows
    dated before the changed responses' earliest authored day are skipped before their ids are probed
    (changed_responses_span). -#}
{% macro drop_changed_observation_responses() -%}
    {%- set watermark = recorded_watermark() -%}
    {%- set changed = changed_responses_span(watermark) if watermark else none -%}
    {% if changed and changed.n > 0 -%}
        {%- set recent = "(observation_date is null or observation_date >= date '" ~ changed.first_day ~ "')"
            if changed.first_day else 'true' -%}
        delete from {{ this }}
        where
            {{ recent }}
            and observation_id in (
                select {{ omop_id("sha256(concat_ws('|', 'observation', changed.response_id, scales.scale))") }}
                -- prom_scores has rescored or removed them
                from ({{ changed_response_keys(watermark) }}) as changed
                cross join (
                    select distinct coalesce(loinc_totals.scale, substr(held.source_value, strpos(held.source_value, ':') + 1)) as scale
                    from (
                        select distinct observation_source_value as source_value from {{ this }}
                        where {{ recent }}
                    ) as held
                    left join ({{ observation_loinc_totals() }}) as loinc_totals
                        on held.source_value = loinc_totals.loinc_code
                ) as scales
            )
    {%- endif %}
{%- endmacro %}
