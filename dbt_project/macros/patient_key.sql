{#- The pseudonymous patient key (ARCHITECTURE.md decision 7): HMAC-SHA256 of source + identifier,
    computed by ingestion.pseudonym through the dbt-duckdb plugin. Call it on distinct ids only
    (int_patient_keys): it is a Python function. -#}
{% macro patient_key(patient_id_expr) -%}
    pseudonym_key('{{ var("patient_key_source") }}', {{ patient_id_expr }})
{%- endmacro %}
