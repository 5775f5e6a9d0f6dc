"""kill -9 in the middle of a load, then a re-run, ends with exactly the data of one clean run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ingestion.load import load_paths
from tests.ingestion.load.inputs import apple_record, apple_xml, observation

REPO = Path(__file__).resolve().parents[3]
LINE = ('{{"resourceType":"Observation","id":"k{i}","status":"final","code":{{"coding":[{{"system":'
        '"http://loinc.org","code":"8867-4"}}]}},"subject":{{"reference":"Patient/p{p}"}},'
        '"effectiveDateTime":"2026-01-05T08:00:00+01:00","valueQuantity":{{"value":{v},"unit":"/min",'
        '"system":"http://unitsofmeasure.org","code":"/min"}},"note":[{{"text":"{pad}"}}]}}\n')


def test_killed_load_then_rerun_equals_one_clean_run(tmp_path, warehouse, query):
    n = 60_000
    path = tmp_path / "big.ndjson"
    with open(path, "w") as out:
        out.write(str(observation("first")).replace("'", '"') + "\n")
        out.write("{truncated\n")
        out.writelines(LINE.format(i=i, p=i % 100, v=50 + i % 80, pad="x" * 100) for i in range(n))
    # The child says when the file's transaction is open and its statement starting: a fixed sleep
    # raced the load, which can finish within it on an idle machine.
    script = ("import sys\nimport ingestion.load.fhir_sql as f\nfrom ingestion.load import load_paths\n"
              "run = f.load_fhir_lines\n"
              "def started(*args, **kwargs):\n    print('in transaction', flush=True)\n    return run(*args, **kwargs)\n"
              "f.load_fhir_lines = started\n"
              "load_paths([sys.argv[1]], sys.argv[2])\nprint('done', flush=True)\n")
    child = subprocess.Popen([sys.executable, "-c", script, str(path), str(warehouse)], cwd=REPO,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "in transaction"
    time.sleep(0.05)  # into the insert of 60,000 lines, well before its commit
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL and child.stdout.read() == ""
    [report] = load_paths([path], warehouse)
    assert (report.loaded, report.duplicates, report.quarantined) == (n + 1, 0, 1)
    assert query("select count(*), count(distinct resource_id) from raw.fhir_resources") == [(n + 1, n + 1)]
    assert query("select status, n_loaded from raw.load_log") == [("loaded", n + 1)]
    assert query("select count(*) from quarantine.records") == [(1,)]


def test_killed_apple_health_load_then_rerun_equals_one_clean_run(tmp_path, warehouse, query, monkeypatch):
    n = 60_000  # a few seconds of parsing: the kill lands while readings are being staged
    path = tmp_path / "export.xml"
    records = [apple_record("HKQuantityTypeIdentifierHeartRate", 50 + i % 80, "count/min",
                            start=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d} {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d} +0100")
               for i in range(n)]
    path.write_text(apple_xml(records + [apple_record("HKQuantityTypeIdentifierBodyMass", 70, "furlongs")]))
    script = ("import sys\nfrom ingestion.load import load_paths\nprint('loading', flush=True)\n"
              "load_paths([sys.argv[1]], sys.argv[2], patient='p1')\nprint('done', flush=True)\n")
    staging = tmp_path / "staging"  # the loads' temporary files, to see what a kill leaves
    staging.mkdir()
    child = subprocess.Popen([sys.executable, "-c", script, str(path), str(warehouse)], cwd=REPO,
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(staging)})
    assert child.stdout.readline().strip() == "loading"
    deadline = time.monotonic() + 120  # kill once readings are being staged (a fixed sleep raced the load)
    while not any(os.path.getsize(p) for p in staging.glob(f"ingest-{child.pid}-*.ndjson") if p.exists()):
        assert time.monotonic() < deadline and child.poll() is None, "the load never staged readings"
        time.sleep(0.01)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    left = list(staging.glob(f"ingest-{child.pid}-*.ndjson"))
    monkeypatch.setattr(tempfile, "tempdir", str(staging))
    [report] = load_paths([path], warehouse, patient="p1")
    # The killed load's staging file (patient readings) is gone after the next load.
    assert left and not any(p.exists() for p in left) and list(staging.iterdir()) == []
    assert (report.loaded, report.duplicates, report.quarantined) == (n, 0, 1)
    assert query("select count(*), count(distinct content_hash) from raw.device_observations") == [(n, n)]
    assert query("select status, n_loaded from raw.load_log") == [("loaded", n)]
