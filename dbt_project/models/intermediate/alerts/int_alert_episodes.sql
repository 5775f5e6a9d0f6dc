{{ config(materialized='table') }}
-- One row per alert episode of the base rules (every rule but MULTI-MEDIUM and ESCALATE): the
-- findings of one patient and rule, folded into episodes so a fever lasting three days is one alert.
with findings as (
    select * from {{ ref('int_alert_findings_proms') }}
    union all
    select * from {{ ref('int_alert_findings_vitals') }}
    union all
    select * from {{ ref('int_alert_findings_trends') }}
    union all
    select * from {{ ref('int_alert_findings_adherence') }}
),

episode_gaps as (
    select
        patient_key,
        rule_id,
        value as episode_gap_days
    from {{ ref('int_alert_params_by_patient') }}
    where param = 'episode_gap_days'
),

{{ alert_episodes() }},

rules as (
    select * from {{ ref('alert_rules') }}
    qualify rule_version = max(rule_version) over (partition by rule_id)
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
