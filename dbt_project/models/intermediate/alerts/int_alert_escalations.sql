-- ESCALATE (Moovcare 24 h rule): an urgent or high alert not acknowledged within the configured hours
-- of the warehouse learning of it. Evaluated only once acknowledgements exist at all (a warehouse
-- that never received alert-review Tasks cannot tell ignored alerts from unreported reviews).
-- "Now" is the newest data the warehouse holds, so a rebuild gives the same answer.
with candidate_alerts as (
    select * from {{ ref('int_alert_episodes') }}
    where severity in ('urgent', 'high')
    union all
    select * from {{ ref('int_alert_multi_medium_episodes') }}
),

acknowledgements as (
    select * from {{ ref('int_alert_acknowledgements') }}
),

review_exists as (
    select count(*) > 0 as has_reviews from acknowledgements
),

horizon as (
    select max(detected_at) as as_of from candidate_alerts
    union all
    select max(last_changed_at) from acknowledgements
),

thresholds as (
    select * from {{ ref('int_alert_thresholds_by_patient') }}
),

with_deadline as (
    select
        alerts.*,
        acknowledgements.acknowledged_at,
        thresholds.escalate__ack_hours,
        greatest(alerts.triggered_at, alerts.detected_at)
        + to_hours(cast(thresholds.escalate__ack_hours as integer)) as ack_deadline
    from candidate_alerts as alerts
    inner join thresholds on alerts.patient_key = thresholds.patient_key
    left join acknowledgements on alerts.alert_id = acknowledgements.alert_id
),

overdue as (
    select with_deadline.*
    from with_deadline
    cross join review_exists
    where
        review_exists.has_reviews
        and (
            with_deadline.acknowledged_at > with_deadline.ack_deadline
            or (
                with_deadline.acknowledged_at is null
                and (select max(horizon.as_of) from horizon) > with_deadline.ack_deadline
            )
        )
),

rules as (
    select * from {{ ref('alert_rules') }}
    where rule_id = 'ESCALATE'
    qualify rule_version = max(rule_version) over ()
),

final as (
    select
        -- one escalation per escalated alert: two alerts may share a deadline
        sha256(concat_ws('|', overdue.patient_key, 'ESCALATE', overdue.alert_id)) as alert_id,
        overdue.patient_key,
        rules.rule_id,
        rules.rule_version,
        rules.severity,
        overdue.ack_deadline as triggered_at,
        overdue.ack_deadline as detected_at,
        overdue.triggered_at as window_start,
        overdue.ack_deadline as window_end,
        overdue.ack_deadline as episode_start,
        overdue.ack_deadline as episode_end,
        1 as n_findings,
        cast([] as varchar[]) as response_ids,
        json_object(
            'escalated_alert_id', overdue.alert_id, 'escalated_rule_id', overdue.rule_id,
            'escalated_severity', overdue.severity, 'ack_deadline', overdue.ack_deadline,
            'acknowledged_at', overdue.acknowledged_at, 'ack_hours', overdue.escalate__ack_hours
        ) as evidence
    from overdue
    cross join rules
)

select * from final
