{#- The pseudonymous patient key (ARCHITECTURE.md decision 7): HMAC-SHA256 of source + identifier,
    computed by ingestion.pseudonym through the dbt-duckdb plugin. Call it on distinct ids only
    (int_patient_keys): it is a Python function. -#}
{% macro patient_key(patient_id_expr) -%}
    pseudonym_key('{{ var("patient_key_source") }}', {{ patient_id_expr }})
{%- endmacro %}

{#- The pseudonym of a source resource id (QuestionnaireResponse.id, Condition.id, ...): the same
    HMAC with the resource type as its source, so ids that embed a patient id (as synthetic and
    many hospital ids do) never reach a mart, and nobody without the key can recompute them. -#}
{% macro resource_key(resource_type, id_expr) -%}
    pseudonym_key('{{ var("resource_key_source") }}/{{ resource_type }}', {{ id_expr }})
{%- endmacro %}
