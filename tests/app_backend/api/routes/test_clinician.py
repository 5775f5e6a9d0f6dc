"""The clinician dashboard's endpoints: care-team patients, real-time alerts, alert workflow Tasks."""

from fhir.resources.R4B.task import Task


def test_patients_lists_only_the_callers_care_team(client, world):
    mine, theirs = world.patient(name="Mia Mine"), world.patient(name="Theo Theirs")
    clinician, colleague = world.staff("clinician"), world.staff("clinician")
    team_id = world.care_team([clinician], [mine])
    world.care_team([colleague], [theirs])
    listed = client.get("/clinician/patients", headers=clinician.headers).json()
    assert listed == [{"patient_id": mine.patient_id, "name": "Mia Mine", "birth_date": "1968-04-02",
                       "team": listed[0]["team"], "team_id": team_id}]
    assert client.get("/clinician/patients", headers=mine.headers).status_code == 403


def test_alert_actions_become_fhir_tasks(client, world):
    patient, clinician, colleague = world.patient(), world.staff("clinician"), world.staff("clinician")
    world.care_team([clinician, colleague], [patient])
    url = "/clinician/alerts/wh-alert-42/actions"
    ack = client.post(url, headers=clinician.headers,
                      json={"patient_id": patient.patient_id, "action": "acknowledge", "note": "called"})
    assert ack.status_code == 201, ack.text
    task = Task.model_validate(ack.json())
    assert task.status == "accepted"
    assert task.code.coding[0].system == "http://survivorship-platform.org/fhir/CodeSystem/task-type"
    assert task.code.coding[0].code == "alert-review"
    assert task.focus.identifier.system == "http://survivorship-platform.org/fhir/alert-id"
    assert task.focus.identifier.value == "wh-alert-42"
    assigned = client.post(url, headers=clinician.headers, json={
        "patient_id": patient.patient_id, "action": "assign", "assignee": colleague.id}).json()
    assert assigned["owner"]["identifier"]["value"] == str(colleague.id)
    resolved = client.post(url, headers=colleague.headers, json={
        "patient_id": patient.patient_id, "action": "resolve", "note": "fever settled"}).json()
    assert resolved["status"] == "completed" and resolved["id"] == task.id
    assert resolved["meta"]["versionId"] == "3" and len(resolved["note"]) == 3
    assert resolved["lastModified"]
    listed = client.get("/clinician/alerts/actions", headers=clinician.headers,
                        params={"patient_id": patient.patient_id}).json()
    assert [e["resource"]["id"] for e in listed["entry"]] == [task.id]
    outsider = world.staff("clinician")
    bad_assignee = client.post(url, headers=clinician.headers, json={
        "patient_id": patient.patient_id, "action": "assign", "assignee": outsider.id})
    assert bad_assignee.status_code == 422


def test_clinicians_cannot_act_on_other_teams_alerts(client, world):
    patient, outsider = world.patient(), world.staff("clinician")
    denied = client.post("/clinician/alerts/a1/actions", headers=outsider.headers,
                         json={"patient_id": patient.patient_id, "action": "resolve"})
    assert denied.status_code == 404
    assert client.get("/clinician/alerts/actions", headers=outsider.headers,
                      params={"patient_id": patient.patient_id}).status_code == 404
    assert client.get("/clinician/alerts", headers=outsider.headers,
                      params={"patient_id": patient.patient_id}).status_code == 404
