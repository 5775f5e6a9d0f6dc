-- PRO-CTCAE composite grade 0-3 per response and symptom: the rules are in macros/prom_scoring.sql
-- (grade_pro_ctcae_composites), shared with prom_scores, which applies them incrementally.
{{ grade_pro_ctcae_composites(ref('int_prom_answers_mapped')) }}
