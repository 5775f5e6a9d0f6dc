-- GENERATED from dbt_project/view_definitions/stg_fhir__questionnaire_response_items.json by
-- `python -m ingestion.sql_on_fhir.generate_staging`. Do not edit: change the
-- ViewDefinition (the staging data contract) and regenerate.
-- One row per answer of a QuestionnaireResponse version (forEach item, forEach answer).
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
        CAST(_rt."id" AS VARCHAR) AS "response_id",
        _rt."meta"."versionId" AS "version_id",
        CAST(_rt."meta"."lastUpdated" AS TIMESTAMPTZ) AS "last_updated",
        _rt."status" AS "response_status",
        _rt."questionnaire" AS "questionnaire_url",
        CAST(CASE WHEN regexp_full_match(_rt."subject"."reference", 'Patient/[A-Za-z0-9\-\.]{1,64}') THEN substr(_rt."subject"."reference", 9) ELSE NULLIF(regexp_extract(_rt."subject"."reference", '(?:^|/)Patient/([A-Za-z0-9\-\.]{1,64})(?:/_history/[^/]+)?$', 1), '') END AS VARCHAR) AS "patient_id",
        CAST(_rt."authored" AS TIMESTAMPTZ) AS "authored_at",
        unnest(flatten(list_transform(coalesce(_rt."item", []), lambda _b1, _i2: list_transform(list_transform(coalesce(_b1."answer", []), lambda _b3, _i4: {'value_integer': CAST(CASE _b3."valueInteger" WHEN 'true' THEN 1 WHEN 'false' THEN 0 ELSE CAST(CAST(_b3."valueInteger" AS DOUBLE) AS INTEGER) END AS BIGINT), 'value_decimal': CASE _b3."valueDecimal" WHEN 'true' THEN 1 WHEN 'false' THEN 0 ELSE CAST(_b3."valueDecimal" AS DOUBLE) END, 'value_coding_system': _b3."valueCoding"."system", 'value_coding_code': _b3."valueCoding"."code"}), lambda _row5: struct_concat({'link_id': _b1."linkId"}, _row5))))) AS _row
    FROM (SELECT *, json_transform(_res, '{"id":"VARCHAR","meta":{"versionId":"VARCHAR","lastUpdated":"VARCHAR"},"status":"VARCHAR","questionnaire":"VARCHAR","subject":{"reference":"VARCHAR"},"authored":"VARCHAR","item":[{"linkId":"VARCHAR","answer":[{"valueInteger":"VARCHAR","valueDecimal":"VARCHAR","valueCoding":{"system":"VARCHAR","code":"VARCHAR"}}]}]}') AS _rt
    FROM (SELECT _src."resource" AS _res, _src."content_hash", _src."loaded_at"
    FROM (SELECT * FROM {{ source('raw', 'fhir_resources') }} WHERE {{ loaded_since_last_build() }} AND contains(CAST(resource AS VARCHAR), 'item":')) AS _src
    WHERE _src."resource_type" = 'QuestionnaireResponse') AS _r) AS _r
) AS _v
