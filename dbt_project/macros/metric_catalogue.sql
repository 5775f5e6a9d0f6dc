{#- The telemonitoring metrics, one row each (a metric may have several LOINC codes): its unit and
    daily aggregate. tests/singular/telemonitoring_metric_has_one_unit_and_aggregate.sql keeps it
    one row per metric. -#}
{% macro metric_catalogue() -%}
    select distinct
        metric,
        unit,
        daily_aggregate
    from {{ ref('telemonitoring_metrics') }}
{%- endmacro %}
