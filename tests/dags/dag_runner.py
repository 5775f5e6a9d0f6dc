"""Run DAGs once each with dag.test() (which serialises them to the metadata database first)
and print their final states as one JSON list, in order (a DAG may be named twice). Used by the DAG tests in a child process."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main(args: list[str]) -> int:
    # --use-executor: hand the tasks to the configured executor (e.g. Celery workers) instead of
    # running them in this process.
    use_executor = "--use-executor" in args
    dag_ids = [a for a in args if not a.startswith("--")]
    from airflow.dag_processing.dagbag import BundleDagBag

    dags = Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    bag = BundleDagBag(dag_folder=dags, bundle_path=dags, bundle_name="dags-folder")
    if bag.import_errors:
        print("RESULT " + json.dumps({"import_errors": bag.import_errors}))
        return 1
    results = []
    for dag_id in dag_ids:
        run = bag.dags[dag_id].test(use_executor=use_executor)
        tasks = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
        results.append(
            {"dag_id": dag_id, "state": str(run.state), "run_id": run.run_id, "tasks": tasks}
        )
    print("RESULT " + json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
