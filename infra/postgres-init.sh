#!/usr/bin/env bash
# First start of the PostgreSQL container: one database and one owner role per service.
# Passwords come from the container's environment (set from the deployment's secrets).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username postgres <<SQL
create role airflow login password '${AIRFLOW_DB_PASSWORD}';
create database airflow owner airflow;
create role backend login password '${BACKEND_DB_PASSWORD}';
create database backend owner backend;
SQL
