-- GENERATED from dbt_project/view_definitions/stg_fhir__communications.json by
-- `python -m ingestion.sql_on_fhir.generate_staging`. Do not edit: change the
-- ViewDefinition (the staging data contract) and regenerate.
-- One row per Communication version: telehealth messaging activity exported by the backend (who wrote, when, in which thread; never the text).
SELECT
    "content_hash",
    "loaded_at",
    CAST(_rs[1] AS VARCHAR) AS "communication_id",
    CAST(_rs[2] AS TIMESTAMPTZ) AS "last_updated",
    _rs[3] AS "communication_status",
    CAST(CASE WHEN regexp_full_match(_rs[4], 'Patient/[A-Za-z0-9\-\.]{1,64}') THEN substr(_rs[4], 9) ELSE NULLIF(regexp_extract(_rs[4], '(?:^|/)Patient/([A-Za-z0-9\-\.]{1,64})(?:/_history/[^/]+)?$', 1), '') END AS VARCHAR) AS "patient_id",
    CAST(_rs[5] AS TIMESTAMPTZ) AS "sent_at",
    _rs[6] AS "sender_role",
    CAST(json_extract_string((list_filter(list_transform(list_filter(json_extract(_res, '$.identifier[*]'), lambda _w1, _i2: coalesce(((json_extract_string(_w1, '$.system')) = ('http://survivorship-platform.org/fhir/telehealth-thread')), FALSE)), lambda _m3: json_extract(_m3, '$.value')), lambda _m3: _m3 IS NOT NULL))[1], '$') AS VARCHAR) AS "thread_id"
FROM (SELECT *, json_extract_string(_res, ['$.id', '$.meta.lastUpdated', '$.status', '$.subject.reference', '$.sent', '$.sender.display']) AS _rs
    FROM (SELECT _src."resource" AS _res, _src."content_hash", _src."loaded_at"
    FROM (SELECT * FROM {{ source('raw', 'fhir_resources') }} WHERE {{ loaded_since_last_build() }}) AS _src
    WHERE _src."resource_type" = 'Communication') AS _r) AS _r
