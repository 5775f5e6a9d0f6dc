-- GENERATED from dbt_project/view_definitions/stg_fhir__observations.json by
-- `python -m ingestion.sql_on_fhir.generate_staging`. Do not edit: change the
-- ViewDefinition (the staging data contract) and regenerate.
-- One row per Observation version: its first coding and its quantity value (top level only).
{{ config(materialized='incremental', incremental_strategy='append') }}
SELECT
    "content_hash",
    "loaded_at",
    CAST(_rs[1] AS VARCHAR) AS "observation_id",
    _rs[2] AS "version_id",
    CAST(_rs[3] AS TIMESTAMPTZ) AS "last_updated",
    _rs[4] AS "observation_status",
    _rs[5] AS "category_code",
    _rs[6] AS "code_system",
    _rs[7] AS "code",
    CAST(NULLIF(regexp_extract(_rs[8], '(?:^|/)Patient/([A-Za-z0-9\-\.]{1,64})(?:/_history/[^/]+)?$', 1), '') AS VARCHAR) AS "patient_id",
    CAST(CAST(json_extract_string(coalesce(_rj[1], _rj[2]), '$') AS VARCHAR) AS TIMESTAMPTZ) AS "effective_at",
    CAST(_rj[3] AS DOUBLE) AS "value_quantity",
    CAST(json_extract_string(coalesce(_rj[4], _rj[5]), '$') AS VARCHAR) AS "value_unit",
    _rs[9] AS "device"
FROM (SELECT *, json_extract_string(_res, ['$.id', '$.meta.versionId', '$.meta.lastUpdated', '$.status', '$.category[0].coding[0].code', '$.code.coding[0].system', '$.code.coding[0].code', '$.subject.reference', '$.device.display']) AS _rs, json_extract(_res, ['$.effectiveDateTime', '$.effectivePeriod.start', '$.valueQuantity.value', '$.valueQuantity.code', '$.valueQuantity.unit']) AS _rj
    FROM (SELECT _src."resource" AS _res, _src."content_hash", _src."loaded_at"
    FROM (SELECT * FROM {{ source('raw', 'fhir_resources') }} WHERE {{ loaded_since_last_build() }}) AS _src
    WHERE _src."resource_type" = 'Observation') AS _r) AS _r
