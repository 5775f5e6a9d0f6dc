-- QLQ-C30 summary score: the rules are in macros/prom_scoring.sql (score_qlq_c30_summary),
-- shared with prom_scores, which applies them incrementally.
{{ score_qlq_c30_summary(ref('int_qlq_c30_scales_scored')) }}
