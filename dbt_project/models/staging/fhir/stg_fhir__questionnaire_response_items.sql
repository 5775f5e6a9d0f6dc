-- GENERATED from dbt_project/view_definitions/stg_fhir__questionnaire_response_items.json by
-- `python -m ingestion.sql_on_fhir.generate_staging`. Do not edit: change the
-- ViewDefinition (the staging data contract) and regenerate.
-- One row per answer of a QuestionnaireResponse version (forEach item, forEach answer).
{{ config(materialized='incremental', incremental_strategy='append') }}
SELECT
    _v."content_hash",
    _v."loaded_at",
    _v."response_id",
    _v."version_id",
    _v."last_updated",
    _v."response_status",
    _v."questionnaire_url",
    _v."patient_id",
    _v."authored_at",
    _v._row."link_id" AS "link_id",
    _v._row."value_integer" AS "value_integer",
    _v._row."value_decimal" AS "value_decimal",
    _v._row."value_coding_system" AS "value_coding_system",
    _v._row."value_coding_code" AS "value_coding_code"
FROM (
    SELECT
        "content_hash",
        "loaded_at",
        CAST(_rs[1] AS VARCHAR) AS "response_id",
        _rs[2] AS "version_id",
        CAST(_rs[3] AS TIMESTAMPTZ) AS "last_updated",
        _rs[4] AS "response_status",
        _rs[5] AS "questionnaire_url",
        CAST(CASE WHEN regexp_full_match(_rs[6], 'Patient/[A-Za-z0-9\-\.]{1,64}') THEN substr(_rs[6], 9) ELSE NULLIF(regexp_extract(_rs[6], '(?:^|/)Patient/([A-Za-z0-9\-\.]{1,64})(?:/_history/[^/]+)?$', 1), '') END AS VARCHAR) AS "patient_id",
        CAST(_rs[7] AS TIMESTAMPTZ) AS "authored_at",
        unnest(flatten(list_transform(json_extract(_res, '$.item[*]'), lambda _e6, _i2: list_transform(list_transform(list_transform(json_extract(_e6, '$.answer[*]'), lambda _x9: {'e': _x9, 's': json_extract_string(_x9, ['$.valueInteger', '$.valueDecimal', '$.valueCoding.system', '$.valueCoding.code'])}), lambda _b7, _i8: {'value_integer': CAST(CASE _b7.s[1] WHEN 'true' THEN 1 WHEN 'false' THEN 0 ELSE CAST(CAST(_b7.s[1] AS DOUBLE) AS INTEGER) END AS BIGINT), 'value_decimal': CASE _b7.s[2] WHEN 'true' THEN 1 WHEN 'false' THEN 0 ELSE CAST(_b7.s[2] AS DOUBLE) END, 'value_coding_system': _b7.s[3], 'value_coding_code': _b7.s[4]}), lambda _row10: struct_concat({'link_id': json_extract_string(_e6, '$.linkId')}, _row10))))) AS _row
    FROM (SELECT *, json_extract_string(_res, ['$.id', '$.meta.versionId', '$.meta.lastUpdated', '$.status', '$.questionnaire', '$.subject.reference', '$.authored']) AS _rs
    FROM (SELECT _src."resource" AS _res, _src."content_hash", _src."loaded_at"
    FROM (SELECT * FROM {{ source('raw', 'fhir_resources') }} WHERE {{ loaded_since_last_build() }} AND contains(CAST(resource AS VARCHAR), 'item":')) AS _src
    WHERE _src."resource_type" = 'QuestionnaireResponse') AS _r) AS _r
) AS _v
