{#- The telemonitoring readings of `readings` (a relation or CTE: reading_id, patient_id, loinc_code,
    effective_at, original_numeric, original_unit, source_kind, observation_status, loaded_at)
    converted to the metric's CLINICAL_SPEC unit (unit_conversions seed), with the original value and
    unit kept and the reason a reading cannot be used: withdrawn (the Observation's current version is
    entered-in-error or cancelled), unknown-unit (no conversion; value null) or implausible-value
    (outside the metric's plausible range). Readings of no catalogued metric, patient or time are not
    readings of this platform. The same columns for FHIR and device readings
    (int_telemonitoring_readings_fhir, int_telemonitoring_readings_devices). -#}
{% macro normalise_readings(readings) -%}
    select
        * exclude (plausible_min, plausible_max, is_withdrawn),
        coalesce(value between plausible_min and plausible_max, false) as is_plausible,
        case
            when is_withdrawn then 'withdrawn'
            when value is null then 'unknown-unit'
            when not value between plausible_min and plausible_max then 'implausible-value'
        end as rejection_reason
    from (
        select
            readings.reading_id,
            readings.patient_id,
            metrics.metric,
            readings.loinc_code,
            readings.effective_at,
            {{ utc_date('readings.effective_at') }} as day,
            readings.original_numeric * conversions.multiplier + conversions.offset_after as value,
            metrics.unit,
            metrics.plausible_min,
            metrics.plausible_max,
            readings.original_numeric as original_value,
            readings.original_unit,
            readings.source_kind,
            coalesce(readings.observation_status in ('entered-in-error', 'cancelled'), false) as is_withdrawn,
            readings.loaded_at
        from {{ readings }} as readings
        inner join {{ ref('telemonitoring_metrics') }} as metrics on readings.loinc_code = metrics.loinc_code
        left join {{ ref('unit_conversions') }} as conversions
            on
                lower(trim(readings.original_unit)) = conversions.from_unit
                and metrics.unit = conversions.to_unit
        where readings.patient_id is not null and readings.effective_at is not null
    )
{%- endmacro %}
