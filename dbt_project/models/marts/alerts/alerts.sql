-- One row per alert episode: base rules, MULTI-MEDIUM and ESCALATE, with the review state from the
-- backend's alert-review Tasks. alert_id = sha256(patient_key|rule_id|episode start epoch ms), for
-- ESCALATE sha256(patient_key|ESCALATE|escalated alert_id).
with all_alerts as (
    select * from {{ ref('int_alert_episodes') }}
    union all
    select * from {{ ref('int_alert_multi_medium_episodes') }}
    union all
    select * from {{ ref('int_alert_escalations') }}
),

acknowledgements as (
    select * from {{ ref('int_alert_acknowledgements') }}
),

centres as (
    select
        patient_key,
        centre_id
    from {{ ref('int_alert_thresholds_by_patient') }}
),

rules as (
    select * from {{ ref('alert_rules') }}
),

final as (
    select
        all_alerts.alert_id,
        all_alerts.patient_key,
        centres.centre_id,
        all_alerts.rule_id,
        all_alerts.rule_version,
        all_alerts.severity,
        rules.title,
        all_alerts.triggered_at,
        all_alerts.detected_at,
        all_alerts.window_start,
        all_alerts.window_end,
        all_alerts.episode_start,
        all_alerts.episode_end,
        all_alerts.n_findings,
        all_alerts.response_ids,
        all_alerts.evidence,
        coalesce(acknowledgements.status, 'open') as status,
        acknowledgements.acknowledged_at,
        acknowledgements.acknowledged_by,
        acknowledgements.resolved_at
    from all_alerts
    inner join rules
        on
            all_alerts.rule_id = rules.rule_id
            and all_alerts.rule_version = rules.rule_version
    left join centres on all_alerts.patient_key = centres.patient_key
    left join acknowledgements on all_alerts.alert_id = acknowledgements.alert_id
)

select * from final
