"""
### Send teleconsultation reminders every 15 minutes

Asks the backend (`$BACKEND_URL`) to send the reminders that are due: booked teleconsultations
starting within `APPOINTMENT_REMINDER_HOURS` that have had none yet. The backend pushes each to
the patient's and caregivers' app sessions and marks the appointment, so a re-run or a
backfill sends nothing twice. Uses the export DAG's service account (`BACKEND_EXPORT_USER` +
`BACKEND_EXPORT_PASSWORD`, or `BACKEND_EXPORT_TOKEN`). Does not touch the warehouse.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

from ingestion.pipeline.callbacks import DEFAULT_TASK_ARGS, log_task_failure


@dag(
    schedule=timedelta(minutes=15),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_TASK_ARGS,
    on_failure_callback=log_task_failure,
    tags=["telehealth", "backend"],
    doc_md=__doc__,
)
def telehealth_reminders():
    @task
    def send() -> dict:
        from ingestion.pipeline.export import send_reminders

        return send_reminders()

    send()


telehealth_reminders()
