{#- Folds findings (one per response or day) into episodes: a finding more than the rule's
    episode_gap_days after the previous finding of the same patient and rule starts a new episode.
    Expects CTE `findings` (patient_key, rule_id, response_id, finding_at, window_start, window_end,
    loaded_at, evidence) and `episode_gaps` (patient_key, rule_id, episode_gap_days); defines CTE
    `episodes`, one row per episode, with the deterministic alert_id. -#}
{% macro alert_episodes() -%}
findings_with_gap as (
    select
        findings.*,
        coalesce(episode_gaps.episode_gap_days, 1) as episode_gap_days,
        lag(findings.finding_at) over by_rule as previous_finding_at
    from findings
    left join episode_gaps
        on
            findings.patient_key = episode_gaps.patient_key
            and findings.rule_id = episode_gaps.rule_id
    window by_rule as (
        partition by findings.patient_key, findings.rule_id
        order by findings.finding_at, findings.response_id
    )
),

findings_numbered as (
    select
        *,
        sum(
            case
                when previous_finding_at is null then 1
                when finding_at - previous_finding_at > to_days(cast(episode_gap_days as integer)) then 1
                else 0
            end
        ) over (
            partition by patient_key, rule_id
            order by finding_at, response_id
            rows between unbounded preceding and current row
        ) as episode_number
    from findings_with_gap
),

episodes as (
    select
        sha256(concat_ws('|', patient_key, rule_id, cast(epoch_ms(min(finding_at)) as varchar))) as alert_id,
        patient_key,
        rule_id,
        min(finding_at) as episode_start,
        max(finding_at) as episode_end,
        arg_min(window_start, finding_at) as window_start,
        arg_max(window_end, finding_at) as window_end,
        arg_min(loaded_at, finding_at) as detected_at,
        count(*) as n_findings,
        list(response_id order by finding_at) filter (where response_id is not null) as response_ids,
        json_merge_patch(
            arg_min(evidence, finding_at),
            json_object('n_findings', count(*), 'last_finding_at', max(finding_at))
        ) as evidence
    from findings_numbered
    group by patient_key, rule_id, episode_number
)
{%- endmacro %}
