-- Instruments scored item by item: the rules are in macros/prom_scoring.sql (score_single_items),
-- shared with prom_scores, which applies them incrementally.
{{ score_single_items(ref('int_prom_answers_mapped')) }}
