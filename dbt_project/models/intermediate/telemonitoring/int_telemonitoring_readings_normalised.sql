{{ config(materialized='view') }}
-- Every telemonitoring reading, FHIR (int_telemonitoring_readings_fhir, incremental: versions and
-- withdrawals) and device (int_telemonitoring_readings_devices, a view over the loaded files), in
-- the CLINICAL_SPEC unit, with the original value and unit and, for a reading the marts do not use,
-- the reason. The reading ids of the two cannot meet: 'fhir:' and 'device:' prefixes.
select * from {{ ref('int_telemonitoring_readings_fhir') }}
union all by name
select * from {{ ref('int_telemonitoring_readings_devices') }}
