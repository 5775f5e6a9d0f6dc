-- GENERATED from dbt_project/view_definitions/stg_fhir__consents.json by
-- `python -m ingestion.sql_on_fhir.generate_staging`. Do not edit: change the
-- ViewDefinition (the staging data contract) and regenerate.
-- One row per Consent version: care-sharing (scope patient-privacy) and research-use (scope research, purpose HRESCH) consents exported by the backend.
SELECT
    "content_hash",
    "loaded_at",
    CAST(_rs[1] AS VARCHAR) AS "consent_id",
    _rs[2] AS "version_id",
    CAST(_rs[3] AS TIMESTAMPTZ) AS "last_updated",
    _rs[4] AS "consent_status",
    CAST(json_extract_string((list_filter(list_transform(list_filter(json_extract(_res, '$.scope.coding[*]'), lambda _w1, _i2: coalesce(((json_extract_string(_w1, '$.system')) = ('http://terminology.hl7.org/CodeSystem/consentscope')), FALSE)), lambda _m3: json_extract(_m3, '$.code')), lambda _m3: _m3 IS NOT NULL))[1], '$') AS VARCHAR) AS "scope_code",
    CAST(json_extract_string((list_filter(list_transform(list_filter(json_extract(_res, '$.provision.purpose[*]'), lambda _w4, _i5: coalesce(((json_extract_string(_w4, '$.system')) = ('http://terminology.hl7.org/CodeSystem/v3-ActReason')), FALSE)), lambda _m6: json_extract(_m6, '$.code')), lambda _m6: _m6 IS NOT NULL))[1], '$') AS VARCHAR) AS "purpose_code",
    _rs[5] AS "provision_type",
    CAST(CASE WHEN regexp_full_match(_rs[6], 'Patient/[A-Za-z0-9\-\.]{1,64}') THEN substr(_rs[6], 9) ELSE NULLIF(regexp_extract(_rs[6], '(?:^|/)Patient/([A-Za-z0-9\-\.]{1,64})(?:/_history/[^/]+)?$', 1), '') END AS VARCHAR) AS "patient_id",
    CAST(_rs[7] AS TIMESTAMPTZ) AS "consented_at"
FROM (SELECT *, json_extract_string(_res, ['$.id', '$.meta.versionId', '$.meta.lastUpdated', '$.status', '$.provision.type', '$.patient.reference', '$.dateTime']) AS _rs
    FROM (SELECT _src."resource" AS _res, _src."content_hash", _src."loaded_at"
    FROM (SELECT * FROM {{ source('raw', 'fhir_resources') }} WHERE {{ loaded_since_last_build() }}) AS _src
    WHERE _src."resource_type" = 'Consent') AS _r) AS _r
