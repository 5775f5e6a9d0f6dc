{#- Keeps only the newest version of each FHIR resource (newest meta.lastUpdated, then the latest load).
    Every row of one version shares content_hash, so forEach-exploded rows stay together. -#}
{% macro latest_version(id_column) -%}
    qualify dense_rank() over (
        partition by {{ id_column }}
        order by last_updated desc nulls last, loaded_at desc, content_hash desc
    ) = 1
{%- endmacro %}
