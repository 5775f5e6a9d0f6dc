-- GENERATED from dbt_project/view_definitions/stg_fhir__medication_statements.json by
-- `python -m ingestion.sql_on_fhir.generate_staging`. Do not edit: change the
-- ViewDefinition (the staging data contract) and regenerate.
-- One row per MedicationStatement version: systemic anticancer and supportive treatments.
SELECT
    "content_hash",
    "loaded_at",
    CAST(_rs[1] AS VARCHAR) AS "medication_statement_id",
    _rs[2] AS "version_id",
    CAST(_rs[3] AS TIMESTAMPTZ) AS "last_updated",
    CAST(CASE WHEN regexp_full_match(_rs[4], 'Patient/[A-Za-z0-9\-\.]{1,64}') THEN substr(_rs[4], 9) ELSE NULLIF(regexp_extract(_rs[4], '(?:^|/)Patient/([A-Za-z0-9\-\.]{1,64})(?:/_history/[^/]+)?$', 1), '') END AS VARCHAR) AS "patient_id",
    _rs[5] AS "statement_status",
    _rs[6] AS "treatment_kind",
    _rs[7] AS "medication_system",
    _rs[8] AS "medication_code",
    coalesce(_rs[9], _rs[10]) AS "medication_name",
    CAST(CAST(NULLIF(substring(coalesce(_rs[11], _rs[12]), (0) + 1, 10), '') AS VARCHAR) AS DATE) AS "period_start",
    CAST(CAST(NULLIF(substring(_rs[13], (0) + 1, 10), '') AS VARCHAR) AS DATE) AS "period_end"
FROM (SELECT *, json_extract_string(_res, ['$.id', '$.meta.versionId', '$.meta.lastUpdated', '$.subject.reference', '$.status', '$.category.coding[0].code', '$.medicationCodeableConcept.coding[0].system', '$.medicationCodeableConcept.coding[0].code', '$.medicationCodeableConcept.text', '$.medicationCodeableConcept.coding[0].display', '$.effectivePeriod.start', '$.effectiveDateTime', '$.effectivePeriod.end']) AS _rs
    FROM (SELECT _src."resource" AS _res, _src."content_hash", _src."loaded_at"
    FROM (SELECT * FROM {{ source('raw', 'fhir_resources') }} WHERE {{ loaded_since_last_build() }}) AS _src
    WHERE _src."resource_type" = 'MedicationStatement') AS _r) AS _r
