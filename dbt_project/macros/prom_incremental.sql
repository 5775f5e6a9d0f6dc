{#- The newest source load an incremental model already holds (-infinity when it holds nothing,
    e.g. after every response it held was withdrawn): rows loaded after it are new to the model. -#}
{% macro loaded_watermark() -%}
    (select coalesce(max(previous_run.loaded_at), '-infinity'::timestamptz) from {{ this }} as previous_run)
{%- endmacro %}

{#- Pre-hook of int_prom_answers_mapped: before an incremental run, remove every response whose
    current version was loaded since the last run. The run inserts the answers of those that are
    still scored; one that was withdrawn (entered-in-error, stopped) or lost all its answers stays
    removed, which delete+insert on the keys of the new rows alone could not do. -#}
{% macro withdraw_changed_responses() -%}
    {% if is_incremental() -%}
        delete from {{ this }}
        where response_id in (
            select {{ resource_key('QuestionnaireResponse', 'responses.response_id') }}
            from {{ ref('int_prom_responses') }} as responses
            where responses.loaded_at > {{ loaded_watermark() }}
        )
    {%- endif %}
{%- endmacro %}

{#- Pre-hook of prom_scores: before an incremental run, remove the scores of every response version
    no longer among the scored answers (replaced by a newer version, or withdrawn). -#}
{% macro drop_superseded_scores() -%}
    {% if is_incremental() -%}
        delete from {{ this }}
        where not exists (
            select 1
            from {{ ref('int_prom_answers_mapped') }} as answers
            where answers.response_id = {{ this }}.response_id and answers.loaded_at = {{ this }}.loaded_at
        )
    {%- endif %}
{%- endmacro %}
