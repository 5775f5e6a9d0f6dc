{#- The parts of FHIR resources the staging models read, as DuckDB from_json structures.
    Fields not listed are ignored by the parse (they stay in raw, which is lossless). -#}
{% macro observation_shape() -%}
{{ tojson({
    "id": "VARCHAR",
    "status": "VARCHAR",
    "meta": {"versionId": "VARCHAR", "lastUpdated": "VARCHAR"},
    "category": [{"coding": [{"system": "VARCHAR", "code": "VARCHAR"}]}],
    "code": {"coding": [{"system": "VARCHAR", "code": "VARCHAR"}]},
    "subject": {"reference": "VARCHAR"},
    "effectiveDateTime": "VARCHAR",
    "effectivePeriod": {"start": "VARCHAR", "end": "VARCHAR"},
    "valueQuantity": {"value": "DOUBLE", "unit": "VARCHAR", "code": "VARCHAR"},
    "device": {"display": "VARCHAR"},
    "component": [{
        "code": {"coding": [{"system": "VARCHAR", "code": "VARCHAR"}]},
        "valueQuantity": {"value": "DOUBLE", "unit": "VARCHAR", "code": "VARCHAR"}
    }]
}) }}
{%- endmacro %}

{% macro questionnaire_response_shape() -%}
{{ tojson({
    "id": "VARCHAR",
    "status": "VARCHAR",
    "meta": {"versionId": "VARCHAR", "lastUpdated": "VARCHAR"},
    "questionnaire": "VARCHAR",
    "subject": {"reference": "VARCHAR"},
    "authored": "VARCHAR",
    "item": [{
        "linkId": "VARCHAR",
        "answer": [{
            "valueInteger": "BIGINT",
            "valueDecimal": "DOUBLE",
            "valueCoding": {"system": "VARCHAR", "code": "VARCHAR"}
        }]
    }]
}) }}
{%- endmacro %}
