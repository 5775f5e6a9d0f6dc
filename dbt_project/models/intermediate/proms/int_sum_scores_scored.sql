-- PHQ-9 and GAD-7 totals: the rules are in macros/prom_scoring.sql (score_sum_scores),
-- shared with prom_scores, which applies them incrementally.
{{ score_sum_scores(ref('int_prom_answers_mapped')) }}
