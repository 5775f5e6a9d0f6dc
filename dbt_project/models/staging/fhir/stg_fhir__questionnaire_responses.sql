-- GENERATED from dbt_project/view_definitions/stg_fhir__questionnaire_responses.json by
-- `python -m ingestion.sql_on_fhir.generate_staging`. Do not edit: change the
-- ViewDefinition (the staging data contract) and regenerate.
-- One row per QuestionnaireResponse version, answered or not (an entered-in-error version may carry no items).
{{ config(materialized='incremental', incremental_strategy='append') }}
SELECT
    "content_hash",
    "loaded_at",
    CAST(_rs[1] AS VARCHAR) AS "response_id",
    _rs[2] AS "version_id",
    CAST(_rs[3] AS TIMESTAMPTZ) AS "last_updated",
    _rs[4] AS "response_status",
    _rs[5] AS "questionnaire_url",
    CAST(CASE WHEN regexp_full_match(_rs[6], 'Patient/[A-Za-z0-9\-\.]{1,64}') THEN substr(_rs[6], 9) ELSE NULLIF(regexp_extract(_rs[6], '(?:^|/)Patient/([A-Za-z0-9\-\.]{1,64})(?:/_history/[^/]+)?$', 1), '') END AS VARCHAR) AS "patient_id",
    CAST(_rs[7] AS TIMESTAMPTZ) AS "authored_at"
FROM (SELECT *, json_extract_string(_res, ['$.id', '$.meta.versionId', '$.meta.lastUpdated', '$.status', '$.questionnaire', '$.subject.reference', '$.authored']) AS _rs
    FROM (SELECT _src."resource" AS _res, _src."content_hash", _src."loaded_at"
    FROM (SELECT * FROM {{ source('raw', 'fhir_resources') }} WHERE {{ loaded_since_last_build() }}) AS _src
    WHERE _src."resource_type" = 'QuestionnaireResponse') AS _r) AS _r
