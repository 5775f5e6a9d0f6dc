{#- Scope of the data tests on the big row-per-load tables (raw, staging, readings): the rows loaded
    after var('data_tests_loaded_after'), which the pipeline sets to the start of its last
    successful run (quality.pipeline_runs; ingestion/pipeline/modelling.py), so a row is tested by
    the run that brought it and again until a run succeeds. Unset (a manual or first build): the
    whole history. The tests' `where` configs spell the same predicate out (a test config cannot
    call a project macro); this one serves generic tests such as unique_with_new_rows. -#}
{% macro loaded_since_last_tested(column='loaded_at') -%}
    {{ column }} > cast('{{ var('data_tests_loaded_after', '-infinity') }}' as timestamptz)
{%- endmacro %}
