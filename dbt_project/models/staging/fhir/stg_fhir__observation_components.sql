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
        CAST(_rt."id" AS VARCHAR) AS "observation_id",
        _rt."meta"."versionId" AS "version_id",
        CAST(_rt."meta"."lastUpdated" AS TIMESTAMPTZ) AS "last_updated",
        _rt."status" AS "observation_status",
        _rt."code"."coding"[1]."code" AS "panel_code",
        CAST(CASE WHEN regexp_full_match(_rt."subject"."reference", 'Patient/[A-Za-z0-9\-\.]{1,64}') THEN substr(_rt."subject"."reference", 9) ELSE NULLIF(regexp_extract(_rt."subject"."reference", '(?:^|/)Patient/([A-Za-z0-9\-\.]{1,64})(?:/_history/[^/]+)?$', 1), '') END AS VARCHAR) AS "patient_id",
        CAST(coalesce(_rt."effectiveDateTime", _rt."effectivePeriod"."start") AS TIMESTAMPTZ) AS "effective_at",
        unnest(list_transform(coalesce(_rt."component", []), lambda _b1, _i2: {'code_system': _b1."code"."coding"[1]."system", 'code': _b1."code"."coding"[1]."code", 'value_quantity': CASE _b1."valueQuantity"."value" WHEN 'true' THEN 1 WHEN 'false' THEN 0 ELSE CAST(_b1."valueQuantity"."value" AS DOUBLE) END, 'value_unit': coalesce(_b1."valueQuantity"."code", _b1."valueQuantity"."unit")})) AS _row
    FROM (SELECT *, json_transform(_res, '{"id":"VARCHAR","meta":{"versionId":"VARCHAR","lastUpdated":"VARCHAR"},"status":"VARCHAR","code":{"coding":[{"code":"VARCHAR"}]},"subject":{"reference":"VARCHAR"},"effectiveDateTime":"VARCHAR","effectivePeriod":{"start":"VARCHAR"},"component":[{"code":{"coding":[{"system":"VARCHAR","code":"VARCHAR"}]},"valueQuantity":{"value":"VARCHAR","code":"VARCHAR","unit":"VARCHAR"}}]}') AS _rt
    FROM (SELECT _src."resource" AS _res, _src."content_hash", _src."loaded_at"
    FROM (SELECT * FROM {{ source('raw', 'fhir_resources') }} WHERE {{ loaded_since_last_build() }} AND contains(CAST(resource AS VARCHAR), 'component":')) AS _src
    WHERE _src."resource_type" = 'Observation') AS _r) AS _r
) AS _v
