{#- The series of omop.measurement, one row per patient and telemonitoring metric: the metric's LOINC
    code (oxygen saturation has two source codes; the first is kept), the person id, and a stable id
    per series (44 bits of a digest) shifted left 16 bits for the day: the measurement id is the
    series id plus the day's number since 1970 modulo 2^16. One digest per patient and metric, not
    per row: at 10,000 patients sha256 of every row's key cost 28 CPU s. The person id too is worked
    out once per series, not per row (2 CPU s at 10,000 patients). The ids are unique as long as the
    series ids are and a series spans under 2^16 days (telemonitoring_daily has one row per patient,
    metric and day): tests/singular/measurement_ids_are_unique.sql checks both, on the 100,000 series
    rather than the 27 M rows of the view. -#}
{% macro measurement_series() -%}
    select
        patient_keys.patient_key,
        metric_codes.metric,
        metric_codes.loinc_code,
        {{ omop_id('patient_keys.patient_key') }} as person_id,
        cast(
            '0x' || left(sha256(concat_ws('|', 'measurement', patient_keys.patient_key, metric_codes.metric)), 11)
            as bigint
        ) * 65536 as series_id
    from {{ ref('int_patient_keys') }} as patient_keys
    cross join (
        select
            metric,
            min(loinc_code) as loinc_code
        from {{ ref('telemonitoring_metrics') }}
        group by metric
    ) as metric_codes
{%- endmacro %}
