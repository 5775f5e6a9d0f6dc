"""The landing zone's layout: which files each source kind picks up, and whose they are."""

from pathlib import Path

from ingestion.pipeline.landing import SOURCE_KINDS, group_by_patient, landed_files, patient_of


def test_landed_files_skip_hidden_and_in_progress_files(tmp_path):
    root = tmp_path / SOURCE_KINDS["device-csv"]
    for name in (
        "patient=p1/a.csv",
        "patient=p1/b.csv.part",
        "patient=p2/.hidden.csv",
        ".tmpdir/x.csv",
    ):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    assert [p.relative_to(root).as_posix() for p in landed_files(tmp_path, "device-csv")] == [
        "patient=p1/a.csv"
    ]
    assert landed_files(tmp_path, "fhir-bulk") == []


def test_patient_comes_from_the_hive_folder():
    assert patient_of(Path("/l/devices/csv/patient=abc-1/2026/x.csv")) == "abc-1"
    assert patient_of(Path("/l/fhir/bulk/Observation.ndjson")) is None
    groups = group_by_patient(
        [Path("patient=a/1"), Path("patient=b/2"), Path("patient=a/3"), Path("x")]
    )
    assert groups == {
        "a": [Path("patient=a/1"), Path("patient=a/3")],
        "b": [Path("patient=b/2")],
        None: [Path("x")],
    }
