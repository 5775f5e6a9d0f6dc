{#- True for a patient_key whose research use is permitted: not in int_research_withdrawn_patients.
    Every analyst-facing mart and every OMOP table filters on it; clinician marts do not. -#}
{% macro research_permitted(patient_key_expr) -%}
    not exists (
        select 1 from {{ ref('int_research_withdrawn_patients') }} as research_withdrawn
        where research_withdrawn.patient_key = {{ patient_key_expr }}
    )
{%- endmacro %}
