-- EORTC QLQ-C30 v3.0 scale scores per response: the rules are in macros/prom_scoring.sql
-- (score_qlq_c30_scales), shared with prom_scores, which applies them incrementally.
{{ score_qlq_c30_scales(ref('int_prom_answers_mapped')) }}
