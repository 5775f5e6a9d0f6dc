-- An incremental alert build reads weights and steps from var('max_lookback_days') before its frame
-- (int_alert_findings_trends): a longer window configured for any patient would see cut-off history.
-- Raise max_lookback_days (dbt_project.yml) and rebuild with --full-refresh.
select
    patient_key,
    weight_loss__window_days,
    activity_drop__recent_days + activity_drop__baseline_days as activity_window_days
from {{ ref('int_alert_thresholds_by_patient') }}
where
    weight_loss__window_days > {{ var('max_lookback_days') }}
    or activity_drop__recent_days + activity_drop__baseline_days > {{ var('max_lookback_days') }}
