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
    CAST(CASE WHEN regexp_full_match(_rs[8], 'Patient/[A-Za-z0-9\-\.]{1,64}') THEN substr(_rs[8], 9) ELSE NULLIF(regexp_extract(_rs[8], '(?:^|/)Patient/([A-Za-z0-9\-\.]{1,64})(?:/_history/[^/]+)?$', 1), '') END AS VARCHAR) AS "patient_id",
    CAST(coalesce(_rs[9], _rs[10]) AS TIMESTAMPTZ) AS "effective_at",
    CASE _rs[11] WHEN 'true' THEN 1 WHEN 'false' THEN 0 ELSE CAST(_rs[11] AS DOUBLE) END AS "value_quantity",
    coalesce(_rs[12], _rs[13]) AS "value_unit",
    _rs[14] AS "device"
FROM (SELECT *, json_extract_string(_res, ['$.id', '$.meta.versionId', '$.meta.lastUpdated', '$.status', '$.category[0].coding[0].code', '$.code.coding[0].system', '$.code.coding[0].code', '$.subject.reference', '$.effectiveDateTime', '$.effectivePeriod.start', '$.valueQuantity.value', '$.valueQuantity.code', '$.valueQuantity.unit', '$.device.display']) AS _rs
    FROM (SELECT _src."resource" AS _res, _src."content_hash", _src."loaded_at"
    FROM (SELECT * FROM {{ source('raw', 'fhir_resources') }} WHERE {{ loaded_since_last_build() }}) AS _src
    WHERE _src."resource_type" = 'Observation') AS _r) AS _r
