"""The pipeline's steps as plain functions: what the Airflow DAGs in dags/ call, and what
`python -m ingestion.pipeline run` runs in the same order. Each step hands off through storage
(landing folder, warehouse file, snapshot folder), never through memory, and is safe to re-run.

Import the step you need from its module (ingest, modelling, quality, snapshot): importing this
package stays cheap so DAG files parse fast.
"""
