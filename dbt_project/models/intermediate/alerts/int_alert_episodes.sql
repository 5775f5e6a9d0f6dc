{{ config(
    materialized='incremental',
    incremental_strategy='replace_where',
    frame_model='int_alert_frame',
    replace_where=
        "rule_id = 'NO-DATA' or episode_start >= (select frame_from from {frame})"
        ~ " or (patient_key, rule_id, episode_start) in ("
        ~ "select patient_key, rule_id, max(episode_start) from {target}"
        ~ " where episode_start < (select frame_from from {frame}) group by patient_key, rule_id)",
) }}
-- One row per alert episode of the base rules (every rule but MULTI-MEDIUM and ESCALATE): the
-- findings of one patient and rule, folded into episodes so a fever lasting three days is one alert.
-- Incremental: findings before the alert frame are unchanged, so every episode that started before
-- the frame, except the last one of each patient and rule, is final. The fold restarts at that
-- last episode's start (still an episode start in a full build), so an episode spanning the frame
-- boundary comes out as a full build makes it; NO-DATA is folded whole (its few findings change
-- with the data horizon: an open gap's window grows).
-- depends_on: {{ ref('int_alert_frame') }}
with
{% if is_incremental() -%}
    frame as (
        select * from {{ ref('int_alert_frame') }}
    ),

    fold_from as (
        -- per patient and rule: the start of the last episode that began before the frame
        select
            previous.patient_key,
            previous.rule_id,
            max(previous.episode_start) as fold_from
        from {{ this }} as previous
        cross join frame
        where previous.episode_start < frame.frame_from
        group by previous.patient_key, previous.rule_id
    ),

    findings as (
        select all_findings.* exclude (source_loaded_at)
        from {{ ref('int_alert_findings') }} as all_findings
        cross join frame
        left join fold_from
            on
                all_findings.patient_key = fold_from.patient_key
                and all_findings.rule_id = fold_from.rule_id
        where
            all_findings.rule_id = 'NO-DATA'
            or all_findings.finding_at >= coalesce(fold_from.fold_from, frame.frame_from)
    ),
{%- else -%}
    findings as (
        select * exclude (source_loaded_at) from {{ ref('int_alert_findings') }}
    ),
{%- endif %}

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
