-- GENERATED from dbt_project/view_definitions/stg_fhir__observation_components.json by
-- `python -m ingestion.sql_on_fhir.generate_staging`. Do not edit: change the
-- ViewDefinition (the staging data contract) and regenerate.
-- One row per component of an Observation version (blood pressure panels: systolic, diastolic).
{{ config(materialized='incremental', incremental_strategy='append') }}
SELECT
    _v."content_hash",
    _v."loaded_at",
    _v."observation_id",
    _v."version_id",
    _v."last_updated",
    _v."observation_status",
    _v."panel_code",
    _v."patient_id",
    _v."effective_at",
    _v._row."code_system" AS "code_system",
    _v._row."code" AS "code",
    _v._row."value_quantity" AS "value_quantity",
    _v._row."value_unit" AS "value_unit"
FROM (
    SELECT
        "content_hash",
        "loaded_at",
        CAST(_rs[1] AS VARCHAR) AS "observation_id",
        _rs[2] AS "version_id",
        CAST(_rs[3] AS TIMESTAMPTZ) AS "last_updated",
        _rs[4] AS "observation_status",
        _rs[5] AS "panel_code",
        CAST(CASE WHEN regexp_full_match(_rs[6], 'Patient/[A-Za-z0-9\-\.]{1,64}') THEN substr(_rs[6], 9) ELSE NULLIF(regexp_extract(_rs[6], '(?:^|/)Patient/([A-Za-z0-9\-\.]{1,64})(?:/_history/[^/]+)?$', 1), '') END AS VARCHAR) AS "patient_id",
        CAST(coalesce(_rs[7], _rs[8]) AS TIMESTAMPTZ) AS "effective_at",
        unnest(list_transform(list_transform(json_extract(_res, '$.component[*]'), lambda _x3: {'e': _x3, 's': json_extract_string(_x3, ['$.code.coding[0].system', '$.code.coding[0].code', '$.valueQuantity.value', '$.valueQuantity.code', '$.valueQuantity.unit'])}), lambda _b1, _i2: {'code_system': _b1.s[1], 'code': _b1.s[2], 'value_quantity': CASE _b1.s[3] WHEN 'true' THEN 1 WHEN 'false' THEN 0 ELSE CAST(_b1.s[3] AS DOUBLE) END, 'value_unit': coalesce(_b1.s[4], _b1.s[5])})) AS _row
    FROM (SELECT *, json_extract_string(_res, ['$.id', '$.meta.versionId', '$.meta.lastUpdated', '$.status', '$.code.coding[0].code', '$.subject.reference', '$.effectiveDateTime', '$.effectivePeriod.start']) AS _rs
    FROM (SELECT _src."resource" AS _res, _src."content_hash", _src."loaded_at"
    FROM (SELECT * FROM {{ source('raw', 'fhir_resources') }} WHERE {{ loaded_since_last_build() }} AND contains(CAST(resource AS VARCHAR), 'component":')) AS _src
    WHERE _src."resource_type" = 'Observation') AS _r) AS _r
) AS _v
