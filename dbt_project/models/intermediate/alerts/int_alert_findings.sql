{{ config(
    materialized='incremental',
    incremental_strategy='replace_where',
    frame_model='int_alert_frame',
    replace_where="finding_at >= (select frame_from from {frame})"
        ~ " or (rule_id = 'NO-DATA' and window_end >= (select frame_from from {frame}))",
) }}
-- Every finding of the base rules (one per response or patient-day). Incremental: the findings
-- of the alert frame (int_alert_frame) replace what the table held from frame_from on, and the
-- NO-DATA gaps reaching into the frame (window_end from frame_from on: a gap still open grows with
-- the data horizon, late data may close or split one) replace the old ones. source_loaded_at is the
-- newest source load this build saw: the next build's watermark.
with findings as (
    select * from {{ ref('int_alert_findings_proms') }}
    union all
    select * from {{ ref('int_alert_findings_vitals') }}
    union all
    select * from {{ ref('int_alert_findings_trends') }}
    union all
    select * from {{ ref('int_alert_findings_adherence') }}
),

final as (
    select
        findings.*,
        frame.source_loaded_at
    from findings
    cross join {{ ref('int_alert_frame') }} as frame
    {% if is_incremental() -%}
        where
            findings.finding_at >= frame.frame_from
            or (findings.rule_id = 'NO-DATA' and findings.window_end >= frame.frame_from)
    {%- else -%}
        -- a full build needs a full frame: int_alert_frame must be rebuilt with this model
        where frame.frame_from is null or error('int_alert_frame is stale: run dbt build -s +int_alert_findings')
    {%- endif %}
)

select * from final
