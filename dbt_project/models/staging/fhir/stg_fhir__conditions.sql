-- GENERATED from dbt_project/view_definitions/stg_fhir__conditions.json by
-- `python -m ingestion.sql_on_fhir.generate_staging`. Do not edit: change the
-- ViewDefinition (the staging data contract) and regenerate.
-- One row per Condition version: the diagnosis code, onset and stage summary.
SELECT
    "content_hash",
    "loaded_at",
    CAST(_rs[1] AS VARCHAR) AS "condition_id",
    _rs[2] AS "version_id",
    CAST(_rs[3] AS TIMESTAMPTZ) AS "last_updated",
    CAST(CASE WHEN regexp_full_match(_rs[4], 'Patient/[A-Za-z0-9\-\.]{1,64}') THEN substr(_rs[4], 9) ELSE NULLIF(regexp_extract(_rs[4], '(?:^|/)Patient/([A-Za-z0-9\-\.]{1,64})(?:/_history/[^/]+)?$', 1), '') END AS VARCHAR) AS "patient_id",
    _rs[5] AS "clinical_status",
    _rs[6] AS "category_code",
    _rs[7] AS "code_system",
    _rs[8] AS "code",
    _rs[9] AS "code_display",
    CAST(CAST(NULLIF(substring(coalesce(_rs[10], _rs[11]), (0) + 1, 10), '') AS VARCHAR) AS DATE) AS "onset_date",
    _rs[12] AS "stage_code",
    coalesce(_rs[13], _rs[14]) AS "stage_text"
FROM (SELECT *, json_extract_string(_res, ['$.id', '$.meta.versionId', '$.meta.lastUpdated', '$.subject.reference', '$.clinicalStatus.coding[0].code', '$.category[0].coding[0].code', '$.code.coding[0].system', '$.code.coding[0].code', '$.code.coding[0].display', '$.onsetDateTime', '$.recordedDate', '$.stage[0].summary.coding[0].code', '$.stage[0].summary.text', '$.stage[0].summary.coding[0].display']) AS _rs
    FROM (SELECT _src."resource" AS _res, _src."content_hash", _src."loaded_at"
    FROM (SELECT * FROM {{ source('raw', 'fhir_resources') }} WHERE {{ loaded_since_last_build() }}) AS _src
    WHERE _src."resource_type" = 'Condition') AS _r) AS _r
