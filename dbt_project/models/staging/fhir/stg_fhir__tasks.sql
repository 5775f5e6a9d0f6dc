-- GENERATED from dbt_project/view_definitions/stg_fhir__tasks.json by
-- `python -m ingestion.sql_on_fhir.generate_staging`. Do not edit: change the
-- ViewDefinition (the staging data contract) and regenerate.
-- One row per Task version: alert reviews exported by the backend (code alert-review, focus = alert id).
SELECT
    "content_hash",
    "loaded_at",
    CAST(_rs[1] AS VARCHAR) AS "task_id",
    _rs[2] AS "version_id",
    CAST(_rs[3] AS TIMESTAMPTZ) AS "last_updated",
    _rs[4] AS "task_status",
    _rs[5] AS "code_system",
    _rs[6] AS "code",
    _rs[7] AS "focus_identifier_system",
    _rs[8] AS "focus_identifier_value",
    CAST(CASE WHEN regexp_full_match(_rs[9], 'Patient/[A-Za-z0-9\-\.]{1,64}') THEN substr(_rs[9], 9) ELSE NULLIF(regexp_extract(_rs[9], '(?:^|/)Patient/([A-Za-z0-9\-\.]{1,64})(?:/_history/[^/]+)?$', 1), '') END AS VARCHAR) AS "patient_id",
    CAST(_rs[10] AS TIMESTAMPTZ) AS "authored_on",
    CAST(_rs[11] AS TIMESTAMPTZ) AS "last_modified",
    _rs[12] AS "owner_ref",
    _rs[13] AS "note_text"
FROM (SELECT *, json_extract_string(_res, ['$.id', '$.meta.versionId', '$.meta.lastUpdated', '$.status', '$.code.coding[0].system', '$.code.coding[0].code', '$.focus.identifier.system', '$.focus.identifier.value', '$.for.reference', '$.authoredOn', '$.lastModified', '$.owner.reference', '$.note[0].text']) AS _rs
    FROM (SELECT _src."resource" AS _res, _src."content_hash", _src."loaded_at"
    FROM (SELECT * FROM {{ source('raw', 'fhir_resources') }} WHERE {{ loaded_since_last_build() }}) AS _src
    WHERE _src."resource_type" = 'Task') AS _r) AS _r
