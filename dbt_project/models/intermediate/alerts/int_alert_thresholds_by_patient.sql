{{ config(materialized='table') }}
-- One row per patient: every alert threshold, resolved per patient (int_alert_params_by_patient),
-- as columns named <rule>__<param>.
{%- set rule_params = [
    ('PRO-SEVERE', 'composite_grade_min'), ('PRO-SEVERE', 'severity_attribute_min'),
    ('PRO-WORSE', 'grade_increase_min'), ('PHQ9-ITEM9', 'item9_min'), ('PHQ9-MOD', 'total_min'),
    ('GAD7-MOD', 'total_min'), ('DT-REFER', 'score_min'), ('ESAS-SEVERE', 'item_min'),
    ('QLQ-DROP', 'drop_min'), ('FEVER', 'temperature_min'), ('SPO2-LOW', 'spo2_below'),
    ('BP-CRISIS', 'systolic_min'), ('BP-CRISIS', 'diastolic_min'), ('TACHY', 'resting_hr_above'),
    ('TACHY', 'consecutive_days'), ('WEIGHT-LOSS', 'loss_pct_min'), ('WEIGHT-LOSS', 'window_days'),
    ('ACTIVITY-DROP', 'ratio_below'), ('ACTIVITY-DROP', 'recent_days'), ('ACTIVITY-DROP', 'baseline_days'),
    ('ACTIVITY-DROP', 'recent_min_days'), ('ACTIVITY-DROP', 'baseline_min_days'),
    ('NO-DATA', 'prom_missed_periods'), ('NO-DATA', 'prom_period_days'), ('NO-DATA', 'prom_grace_days'), ('NO-DATA', 'device_gap_days'),
    ('ESCALATE', 'ack_hours'), ('MULTI-MEDIUM', 'medium_count_min'), ('MULTI-MEDIUM', 'window_days'),
] %}
with params_by_patient as (
    select * from {{ ref('int_alert_params_by_patient') }}
),

patients as (
    select
        patient_keys.patient_id,
        patient_keys.patient_key,
        replace(patient_versions.managing_organization_ref, 'Organization/', '') as centre_id
    from {{ ref('int_patient_keys') }} as patient_keys
    left join {{ ref('int_patients_latest') }} as patient_versions
        on patient_keys.patient_id = patient_versions.patient_id
),

-- noqa: disable=LT02
pivoted as (
    select
        patients.patient_id,
        patients.patient_key,
        patients.centre_id,
        {%- for rule_id, param in rule_params %}
        max(resolved.value) filter (
            where resolved.rule_id = '{{ rule_id }}' and resolved.param = '{{ param }}'
        ) as {{ rule_id | lower | replace('-', '_') }}__{{ param }}{{ "," if not loop.last }}
        {%- endfor %}
    from patients
    left join params_by_patient as resolved on patients.patient_id = resolved.patient_id
    group by patients.patient_id, patients.patient_key, patients.centre_id
)
-- noqa: enable=LT02

select * from pivoted
