-- One row per questionnaire response that meets a PROM alert rule (CLINICAL_SPEC section 3), with
-- the values that made it fire. Episodes are formed later (int_alert_episodes). Only responses
-- authored in the alert frame (int_alert_frame; every response in a full build) are judged; the
-- rules that compare with earlier reports (PRO-WORSE, QLQ-DROP) read every report before judging.
with thresholds as (
    select * from {{ ref('int_alert_thresholds_by_patient') }}
),

frame as (
    select frame_from from {{ ref('int_alert_frame') }}
),

pro_ctcae as (
    select * from {{ ref('int_pro_ctcae_composites_graded') }}
),

pro_ctcae_in_frame as (
    select pro_ctcae.*
    from pro_ctcae
    cross join frame
    where frame.frame_from is null or pro_ctcae.authored_at >= frame.frame_from
),

sum_scores as (
    select sum_scores.*
    from {{ ref('int_sum_scores_scored') }} as sum_scores
    cross join frame
    where frame.frame_from is null or sum_scores.authored_at >= frame.frame_from
),

single_items as (
    select single_items.*
    from {{ ref('int_single_item_scores') }} as single_items
    cross join frame
    where frame.frame_from is null or single_items.authored_at >= frame.frame_from
),

qlq_scales as (
    select * from {{ ref('int_qlq_c30_scales_scored') }}
    where scale_kind in ('functional', 'global') and score is not null
),

qlq_scales_in_frame as (
    select qlq_scales.*
    from qlq_scales
    cross join frame
    where frame.frame_from is null or qlq_scales.authored_at >= frame.frame_from
),

pro_severe as (
    select
        thresholds.patient_key,
        'PRO-SEVERE' as rule_id,
        pro_ctcae.response_id,
        any_value(pro_ctcae.authored_at) as finding_at,
        any_value(pro_ctcae.authored_at) as window_start,
        any_value(pro_ctcae.authored_at) as window_end,
        max(pro_ctcae.loaded_at) as loaded_at,
        json_object(
            'instrument', 'pro-ctcae',
            'response_id', pro_ctcae.response_id,
            'composite_grade_min', any_value(thresholds.pro_severe__composite_grade_min),
            'severity_attribute_min', any_value(thresholds.pro_severe__severity_attribute_min),
            'symptoms', to_json(list(struct_pack(
                symptom := pro_ctcae.symptom,
                composite_grade := pro_ctcae.composite_grade,
                severity := pro_ctcae.severity
            ) order by pro_ctcae.symptom))
        ) as evidence
    from pro_ctcae_in_frame as pro_ctcae
    inner join thresholds on pro_ctcae.patient_id = thresholds.patient_id
    where
        pro_ctcae.composite_grade >= thresholds.pro_severe__composite_grade_min
        or pro_ctcae.severity >= thresholds.pro_severe__severity_attribute_min
    group by thresholds.patient_key, pro_ctcae.response_id
),

graded_reports as (
    select
        response_id,
        patient_id,
        symptom,
        authored_at,
        composite_grade,
        loaded_at
    from pro_ctcae
    where composite_grade is not null
),

last_graded_before_frame as (
    -- each patient's last graded report of each symptom before the frame: what the first report in
    -- the frame is compared with (an aggregate; a window over the whole history costs far more)
    select
        arg_max(
            struct_pack(
                graded_reports.response_id,
                graded_reports.patient_id,
                graded_reports.symptom,
                graded_reports.authored_at,
                graded_reports.composite_grade,
                graded_reports.loaded_at
            ),
            struct_pack(graded_reports.authored_at, graded_reports.response_id)
        ) as report
    from graded_reports
    cross join frame
    where graded_reports.authored_at < frame.frame_from
    group by graded_reports.patient_id, graded_reports.symptom
),

graded_with_previous as (
    -- the reports in the frame, each with the one before it (the same lags as over every report)
    select
        *,
        lag(composite_grade) over previous_report as previous_grade,
        lag(authored_at) over previous_report as previous_authored_at,
        lag(response_id) over previous_report as previous_response_id
    from (
        select graded_reports.*
        from graded_reports
        cross join frame
        where frame.frame_from is null or graded_reports.authored_at >= frame.frame_from
        union all
        select unnest(report) from last_graded_before_frame
    ) as reports
    window previous_report as (partition by patient_id, symptom order by authored_at, response_id)
),

pro_worse as (
    select
        thresholds.patient_key,
        'PRO-WORSE' as rule_id,
        graded.response_id,
        any_value(graded.authored_at) as finding_at,
        min(graded.previous_authored_at) as window_start,
        any_value(graded.authored_at) as window_end,
        max(graded.loaded_at) as loaded_at,
        json_object(
            'instrument', 'pro-ctcae',
            'response_id', graded.response_id,
            'grade_increase_min', any_value(thresholds.pro_worse__grade_increase_min),
            'symptoms', to_json(list(struct_pack(
                symptom := graded.symptom,
                composite_grade := graded.composite_grade,
                previous_grade := graded.previous_grade,
                previous_response_id := graded.previous_response_id
            ) order by graded.symptom))
        ) as evidence
    from graded_with_previous as graded
    inner join thresholds on graded.patient_id = thresholds.patient_id
    cross join frame
    where
        graded.composite_grade - graded.previous_grade >= thresholds.pro_worse__grade_increase_min
        and (frame.frame_from is null or graded.authored_at >= frame.frame_from)
    group by thresholds.patient_key, graded.response_id
),

phq9_item9 as (
    select
        thresholds.patient_key,
        'PHQ9-ITEM9' as rule_id,
        sum_scores.response_id,
        sum_scores.authored_at as finding_at,
        sum_scores.authored_at as window_start,
        sum_scores.authored_at as window_end,
        sum_scores.loaded_at,
        json_object(
            'instrument', 'phq-9', 'response_id', sum_scores.response_id,
            'item9', sum_scores.item9_value, 'item9_min', thresholds.phq9_item9__item9_min,
            'total', sum_scores.score
        ) as evidence
    from sum_scores
    inner join thresholds on sum_scores.patient_id = thresholds.patient_id
    where sum_scores.instrument = 'phq-9' and sum_scores.item9_value >= thresholds.phq9_item9__item9_min
),

sum_score_rules as (
    select
        thresholds.patient_key,
        case sum_scores.instrument when 'phq-9' then 'PHQ9-MOD' else 'GAD7-MOD' end as rule_id,
        sum_scores.response_id,
        sum_scores.authored_at as finding_at,
        sum_scores.authored_at as window_start,
        sum_scores.authored_at as window_end,
        sum_scores.loaded_at,
        json_object(
            'instrument', sum_scores.instrument, 'response_id', sum_scores.response_id,
            'total', sum_scores.score,
            'total_min', case sum_scores.instrument
                when 'phq-9' then thresholds.phq9_mod__total_min else thresholds.gad7_mod__total_min
            end
        ) as evidence
    from sum_scores
    inner join thresholds on sum_scores.patient_id = thresholds.patient_id
    where
        (sum_scores.instrument = 'phq-9' and sum_scores.score >= thresholds.phq9_mod__total_min)
        or (sum_scores.instrument = 'gad-7' and sum_scores.score >= thresholds.gad7_mod__total_min)
),

distress as (
    select
        thresholds.patient_key,
        'DT-REFER' as rule_id,
        single_items.response_id,
        single_items.authored_at as finding_at,
        single_items.authored_at as window_start,
        single_items.authored_at as window_end,
        single_items.loaded_at,
        json_object(
            'instrument', 'distress-thermometer', 'response_id', single_items.response_id,
            'score', single_items.score, 'score_min', thresholds.dt_refer__score_min
        ) as evidence
    from single_items
    inner join thresholds on single_items.patient_id = thresholds.patient_id
    where
        single_items.instrument = 'distress-thermometer'
        and single_items.score >= thresholds.dt_refer__score_min
),

esas_severe as (
    select
        thresholds.patient_key,
        'ESAS-SEVERE' as rule_id,
        single_items.response_id,
        any_value(single_items.authored_at) as finding_at,
        any_value(single_items.authored_at) as window_start,
        any_value(single_items.authored_at) as window_end,
        max(single_items.loaded_at) as loaded_at,
        json_object(
            'instrument', 'esas-r', 'response_id', single_items.response_id,
            'item_min', any_value(thresholds.esas_severe__item_min),
            'items', to_json(list(struct_pack(
                symptom := single_items.scale, score := single_items.score
            ) order by single_items.scale))
        ) as evidence
    from single_items
    inner join thresholds on single_items.patient_id = thresholds.patient_id
    where single_items.instrument = 'esas-r' and single_items.score >= thresholds.esas_severe__item_min
    group by thresholds.patient_key, single_items.response_id
),

qlq_baselines as (
    -- baseline = the patient's first scored report of the scale (an aggregate, not a window)
    select
        patient_id,
        scale,
        arg_min(struct_pack(score, authored_at), struct_pack(authored_at, response_id)) as first_report
    from qlq_scales
    group by patient_id, scale
),

qlq_with_baseline as (
    select
        qlq_scales_in_frame.*,
        struct_extract(qlq_baselines.first_report, 'score') as baseline_score,
        struct_extract(qlq_baselines.first_report, 'authored_at') as baseline_authored_at
    from qlq_scales_in_frame
    inner join qlq_baselines
        on
            qlq_scales_in_frame.patient_id = qlq_baselines.patient_id
            and qlq_scales_in_frame.scale = qlq_baselines.scale
),

qlq_drop as (
    select
        thresholds.patient_key,
        'QLQ-DROP' as rule_id,
        qlq.response_id,
        any_value(qlq.authored_at) as finding_at,
        any_value(qlq.baseline_authored_at) as window_start,
        any_value(qlq.authored_at) as window_end,
        max(qlq.loaded_at) as loaded_at,
        json_object(
            'instrument', 'qlq-c30', 'response_id', qlq.response_id,
            'drop_min', any_value(thresholds.qlq_drop__drop_min),
            'scales', to_json(list(struct_pack(
                scale := qlq.scale, score := round(qlq.score, 1), baseline := round(qlq.baseline_score, 1)
            ) order by qlq.scale))
        ) as evidence
    from qlq_with_baseline as qlq
    inner join thresholds on qlq.patient_id = thresholds.patient_id
    where round(qlq.baseline_score - qlq.score, 6) >= thresholds.qlq_drop__drop_min
    group by thresholds.patient_key, qlq.response_id
),

all_findings as (
    select * from pro_severe
    union all
    select * from pro_worse
    union all
    select * from phq9_item9
    union all
    select * from sum_score_rules
    union all
    select * from distress
    union all
    select * from esas_severe
    union all
    select * from qlq_drop
)

select * from all_findings
