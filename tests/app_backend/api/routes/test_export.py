"""Bulk Data `$export`: kick-off, polling, manifest, NDJSON files, `_since` and `_type`, and
the round trip the pipeline's bulk client makes every 15 minutes."""

import json

from fhir.resources.R4B import get_fhir_model_class

from tests.app_backend.conftest import observation

ASYNC = {"Prefer": "respond-async"}


def _export(client, service, path="/fhir/$export", **params) -> dict:
    kick = client.get(path, headers={**service.headers, **ASYNC}, params=params)
    assert kick.status_code == 202, kick.text
    status_url = kick.headers["Content-Location"]
    assert "/fhir/$export-status/" in status_url
    poll = client.get(status_url, headers=service.headers)
    assert poll.status_code == 200, poll.text
    return poll.json()


def _download(client, service, manifest) -> dict[str, list[dict]]:
    out = {}
    for item in manifest["output"]:
        response = client.get(item["url"], headers=service.headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/fhir+ndjson")
        lines = [json.loads(line) for line in response.text.splitlines() if line]
        assert len(lines) == item["count"]
        out[item["type"]] = lines
    return out


def test_round_trip_with_since_and_type(client, world):
    service, patient, clinician = world.staff("service"), world.patient(), world.staff("clinician")
    world.care_team([clinician], [patient])
    first_obs = client.post("/fhir/Observation", headers=patient.headers,
                            json=observation(patient.patient_id, "8867-4", 70, "/min")).json()
    client.post("/clinician/alerts/wh-7/actions", headers=clinician.headers,
                json={"patient_id": patient.patient_id, "action": "acknowledge"})
    manifest = _export(client, service)
    assert manifest["requiresAccessToken"] is True and manifest["transactionTime"]
    files = _download(client, service, manifest)
    exported_ids = {r["id"] for r in files["Observation"]}
    assert first_obs["id"] in exported_ids
    assert any(r["focus"]["identifier"]["value"] == "wh-7" for r in files["Task"])
    assert any(r["id"] == patient.patient_id for r in files["Patient"])
    assert any(r["patient"]["reference"] == f"Patient/{patient.patient_id}" for r in files["Consent"])
    for kind, resources in files.items():
        model = get_fhir_model_class(kind)
        for resource in resources[:20]:
            model.model_validate(resource)
    # Incremental: only what changed since the previous export's transactionTime (30 s overlap).
    later = client.post("/fhir/Observation", headers=patient.headers,
                        json=observation(patient.patient_id, "8867-4", 71, "/min")).json()
    increment = _export(client, service, _since=manifest["transactionTime"], _type="Observation")
    assert [o["type"] for o in increment["output"]] == ["Observation"]
    new_ids = {r["id"] for r in _download(client, service, increment)["Observation"]}
    assert later["id"] in new_ids
    nothing = _export(client, service, _since="2999-01-01T00:00:00+00:00")
    assert nothing["output"] == []


def test_patient_level_export(client, world):
    service, patient = world.staff("service"), world.patient()
    client.post("/fhir/Observation", headers=patient.headers,
                json=observation(patient.patient_id, "29463-7", 66, "kg"))
    manifest = _export(client, service, "/fhir/Patient/$export", _type="Patient,Observation")
    assert {o["type"] for o in manifest["output"]} == {"Patient", "Observation"}


def test_export_is_for_the_service_account_only(client, world):
    for person in (world.patient(), world.staff("clinician"), world.staff("admin")):
        assert client.get("/fhir/$export", headers={**person.headers, **ASYNC}).status_code == 403
    assert client.get("/fhir/$export", headers=ASYNC).status_code == 401


def test_bad_requests_and_other_accounts_jobs(client, world):
    service, other_service = world.staff("service"), world.staff("service")
    assert client.get("/fhir/$export", headers=service.headers,
                      params={"_type": "Observation,Spaceship"}).status_code == 400
    assert client.get("/fhir/$export", headers=service.headers,
                      params={"_outputFormat": "text/csv"}).status_code == 400
    kick = client.get("/fhir/$export", headers={**service.headers, **ASYNC}, params={"_type": "Patient"})
    status_url = kick.headers["Content-Location"]
    assert client.get(status_url, headers=other_service.headers).status_code == 404
    manifest = client.get(status_url, headers=service.headers).json()
    job_id = status_url.rsplit("/", 1)[-1]
    assert client.get(f"/fhir/$export-file/{job_id}/..%2F..%2Fetc%2Fpasswd",
                      headers=service.headers).status_code == 404
    assert client.get(f"/fhir/$export-file/{job_id}/Observation.ndjson",
                      headers=service.headers).status_code == 404
    assert manifest["output"][0]["type"] == "Patient"
    assert client.delete(status_url, headers=service.headers).status_code == 202
    assert client.get(status_url, headers=service.headers).status_code == 404
    assert client.get(manifest["output"][0]["url"], headers=service.headers).status_code == 404


def test_polling_while_running_and_a_job_whose_worker_died(client, app, world):
    from app_backend.models import ExportJob
    from app_backend.services import bulk_export

    service = world.staff("service")
    with app.state.session_factory() as session:
        running = bulk_export.kickoff(session, user_id=service.id, level="system", types=["Patient"],
                                      since=None, request_url="http://testserver/fhir/$export")
        running.status = "running"
        orphan = bulk_export.kickoff(session, user_id=service.id, level="system", types=["Patient"],
                                     since=None, request_url="http://testserver/fhir/$export")
        session.commit()
        running_id, orphan_id = running.id, orphan.id
    busy = client.get(f"/fhir/$export-status/{running_id}", headers=service.headers)
    assert busy.status_code == 202 and busy.headers["Retry-After"] == "2"
    # Queued but never started (its worker died): the first poll runs it.
    done = client.get(f"/fhir/$export-status/{orphan_id}", headers=service.headers)
    assert done.status_code == 200 and done.json()["output"][0]["type"] == "Patient"
    with app.state.session_factory() as session:
        assert session.get(ExportJob, orphan_id).status == "done"
