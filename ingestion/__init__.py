"""Ingestion: synthetic cohorts, loaders for every source into the warehouse's raw layer, and
SQL-on-FHIR views. Airflow DAGs in dags/ call the functions here; nothing runs at import time."""
