"""`python -m infra.airflow_init`: prepare Airflow's metadata database for the pipeline DAGs.

Runs once per deployment and again on every upgrade (Compose service `airflow-init`, Kubernetes
Job `airflow-init`): applies Airflow's migrations and makes sure the one-slot `warehouse` pool
exists (DuckDB has one writer process: ARCHITECTURE.md decision 2). Idempotent.
"""

from __future__ import annotations

import sys


def main() -> int:
    from airflow.models.pool import Pool
    from airflow.utils.db import initdb

    initdb()
    Pool.create_or_update_pool(
        "warehouse", slots=1, description="DuckDB has one writer process", include_deferred=False
    )
    print("airflow metadata database migrated; pool `warehouse` (1 slot) present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
