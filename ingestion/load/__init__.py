"""Loaders: every source into the warehouse's raw layer, lossless, idempotent and fast.

`load_paths(paths, warehouse=None, patient=None, progress=None) -> list[FileReport]` is the entry
point (the CLI `python -m ingestion load` and the Airflow DAGs call it). See ingestion/README.md.
"""

from ingestion.load.core import load_file, load_paths, patient_from_path
from ingestion.load.report import FileReport, Rejected

__all__ = ["FileReport", "Rejected", "load_file", "load_paths", "patient_from_path"]
