-- MULTI-MEDIUM (Careology's two-amber rule): two or more medium alerts of one patient within the
-- window raise one high alert; overlapping clusters fold into one episode like any other rule.
with medium_alerts as (
    select * from {{ ref('int_alert_episodes') }}
    where severity = 'medium'
),

thresholds as (
    select * from {{ ref('int_alert_thresholds_by_patient') }}
),

findings as (
    select
        latest.patient_key,
        'MULTI-MEDIUM' as rule_id,
        cast(null as varchar) as response_id,
        latest.triggered_at as finding_at,
        min(earlier.triggered_at) as window_start,
        latest.triggered_at as window_end,
        max(earlier.detected_at) as loaded_at,
        json_object(
            'medium_count', count(*),
            'medium_count_min', any_value(thresholds.multi_medium__medium_count_min),
            'window_days', any_value(thresholds.multi_medium__window_days),
            'alerts', to_json(list(struct_pack(
                alert_id := earlier.alert_id, rule_id := earlier.rule_id, triggered_at := earlier.triggered_at
            ) order by earlier.triggered_at))
        ) as evidence
    from medium_alerts as latest
    inner join thresholds on latest.patient_key = thresholds.patient_key
    inner join medium_alerts as earlier
        on
            latest.patient_key = earlier.patient_key
            and latest.triggered_at >= earlier.triggered_at
            and earlier.triggered_at
            >= latest.triggered_at - to_days(cast(thresholds.multi_medium__window_days as integer))
    group by latest.patient_key, latest.alert_id, latest.triggered_at
    having count(*) >= any_value(thresholds.multi_medium__medium_count_min)
),

episode_gaps as (
    select
        patient_key,
        rule_id,
        value as episode_gap_days
    from {{ ref('int_alert_params_by_patient') }}
    where param = 'episode_gap_days' and rule_id = 'MULTI-MEDIUM'
),

{{ alert_episodes() }},

rules as (
    select * from {{ ref('alert_rules') }}
    where rule_id = 'MULTI-MEDIUM'
    qualify rule_version = max(rule_version) over ()
),

final as (
    select
        episodes.alert_id,
        episodes.patient_key,
        episodes.rule_id,
        rules.rule_version,
        rules.severity,
        episodes.episode_start as triggered_at,
        episodes.detected_at,
        episodes.window_start,
        episodes.window_end,
        episodes.episode_start,
        episodes.episode_end,
        episodes.n_findings,
        episodes.response_ids,
        episodes.evidence
    from episodes
    inner join rules on episodes.rule_id = rules.rule_id
)

select * from final
