{#- True for a patient_key whose research use is permitted: not in int_research_withdrawn_patients.
    Every analyst-facing mart and every OMOP table filters on it; clinician marts do not. The
    withdrawn key is renamed in the subquery: an unqualified `patient_key` argument would otherwise
    bind to the subquery's own column, compare it with itself and leave out every patient as soon
    as one had withdrawn. -#}
{% macro research_permitted(patient_key_expr) -%}
    not exists (
        select 1 from (
            select patient_key as research_withdrawn_patient_key
            from {{ ref('int_research_withdrawn_patients') }}
        ) as research_withdrawn
        where research_withdrawn.research_withdrawn_patient_key = {{ patient_key_expr }}
    )
{%- endmacro %}
