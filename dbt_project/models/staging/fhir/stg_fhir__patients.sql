-- GENERATED from dbt_project/view_definitions/stg_fhir__patients.json by
-- `python -m ingestion.sql_on_fhir.generate_staging`. Do not edit: change the
-- ViewDefinition (the staging data contract) and regenerate.
-- One row per Patient version. Identity columns stay in staging and in the identity schema only.
SELECT
    "content_hash",
    "loaded_at",
    CAST(_rs[1] AS VARCHAR) AS "patient_id",
    _rs[2] AS "version_id",
    CAST(_rs[3] AS TIMESTAMPTZ) AS "last_updated",
    _rs[4] AS "identifier_system",
    _rs[5] AS "identifier_value",
    _rs[6] AS "family_name",
    _rs[7] AS "given_name",
    _rs[8] AS "gender",
    CAST(_rs[9] AS DATE) AS "birth_date",
    _rs[10] AS "country",
    _rs[11] AS "language",
    _rs[12] AS "managing_organization_ref",
    CASE _rs[13] WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE ELSE CAST(CAST(_rs[13] AS DOUBLE) AS BOOLEAN) END AS "is_active",
    CASE _rs[14] WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE ELSE CAST(CAST(_rs[14] AS DOUBLE) AS BOOLEAN) END AS "is_deceased"
FROM (SELECT *, json_extract_string(_res, ['$.id', '$.meta.versionId', '$.meta.lastUpdated', '$.identifier[0].system', '$.identifier[0].value', '$.name[0].family', '$.name[0].given[0]', '$.gender', '$.birthDate', '$.address[0].country', '$.communication[0].language.coding[0].code', '$.managingOrganization.reference', '$.active', '$.deceasedBoolean']) AS _rs
    FROM (SELECT _src."resource" AS _res, _src."content_hash", _src."loaded_at"
    FROM (SELECT * FROM {{ source('raw', 'fhir_resources') }} WHERE {{ loaded_since_last_build() }}) AS _src
    WHERE _src."resource_type" = 'Patient') AS _r) AS _r
