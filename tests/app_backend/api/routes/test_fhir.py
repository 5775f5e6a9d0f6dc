"""FHIR REST: metadata, create with validation at the edge, read, search and paging."""

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.questionnaire import Questionnaire

from tests.app_backend.conftest import observation, phq9

LOINC = "http://loinc.org"


def test_metadata_is_a_valid_capability_statement(client):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    statement = CapabilityStatement.model_validate(response.json())
    types = {r.type for r in statement.rest[0].resource}
    assert {"Patient", "Observation", "QuestionnaireResponse", "Task"} <= types


def test_create_read_and_search(client, world):
    patient = world.patient()
    created = client.post("/fhir/Observation", headers=patient.headers,
                          json=observation(patient.patient_id, "8867-4", 72, "/min"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["meta"]["versionId"] == "1" and created.headers["Location"].endswith("/_history/1")
    # Patient-reported data says so: the Patient is the performer.
    assert body["performer"] == [{"reference": f"Patient/{patient.patient_id}"}]
    read = client.get(f"/fhir/Observation/{body['id']}", headers=patient.headers)
    assert read.status_code == 200 and read.json()["id"] == body["id"]
    found = client.get("/fhir/Observation", headers=patient.headers,
                       params={"patient": patient.patient_id, "code": f"{LOINC}|8867-4"})
    assert found.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(found.json())
    assert bundle.total == 1 and bundle.entry[0].resource.id == body["id"]
    # The page carries each match as stored: the same resource the read answers.
    [entry] = found.json()["entry"]
    assert entry["resource"] == read.json() and entry["search"] == {"mode": "match"}
    assert entry["fullUrl"].endswith(f"/fhir/Observation/{body['id']}")


def test_invalid_resources_are_422_operation_outcomes(client, world):
    patient = world.patient()
    bad = observation(patient.patient_id, "8867-4", 72, "/min")
    bad["status"] = "not-a-status"
    response = client.post("/fhir/Observation", headers=patient.headers, json=bad)
    assert response.status_code == 422
    assert response.json()["resourceType"] == "OperationOutcome"
    wrong_type = client.post("/fhir/Observation", headers=patient.headers,
                             json={"resourceType": "Patient"})
    assert wrong_type.status_code == 422
    no_subject = observation(patient.patient_id, "8867-4", 72, "/min")
    del no_subject["subject"]
    assert client.post("/fhir/Observation", headers=patient.headers, json=no_subject).status_code == 422
    assert client.post("/fhir/Observation", headers=patient.headers, content=b"{not json",
                       ).status_code == 422


def test_search_by_date_since_and_paging(client, world):
    patient = world.patient()
    for day in range(1, 8):
        r = client.post("/fhir/Observation", headers=patient.headers, json=observation(
            patient.patient_id, "29463-7", 70 + day, "kg", when=f"2026-10-0{day}T08:00:00+00:00"))
        assert r.status_code == 201
    params = {"patient": patient.patient_id, "code": "29463-7"}
    first = client.get("/fhir/Observation", headers=patient.headers, params={**params, "_count": 3}).json()
    assert first["total"] == 7 and len(first["entry"]) == 3
    next_url = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = client.get(next_url, headers=patient.headers).json()
    ids = {e["resource"]["id"] for e in first["entry"]} | {e["resource"]["id"] for e in second["entry"]}
    assert len(ids) == 6
    window = client.get("/fhir/Observation", headers=patient.headers,
                        params=[*params.items(), ("date", "ge2026-10-03"), ("date", "lt2026-10-05")]).json()
    assert window["total"] == 2
    one_day = client.get("/fhir/Observation", headers=patient.headers,
                         params={**params, "date": "2026-10-04"}).json()
    assert one_day["total"] == 1
    assert one_day["entry"][0]["resource"]["valueQuantity"]["value"] == 74
    future = client.get("/fhir/Observation", headers=patient.headers,
                        params={**params, "_since": "2999-01-01T00:00:00Z"}).json()
    assert future["total"] == 0
    bad_date = client.get("/fhir/Observation", headers=patient.headers, params={"date": "ge-yesterday"})
    assert bad_date.status_code == 422


def test_search_without_patient_returns_only_own_data(client, world):
    alice, bob = world.patient(), world.patient()
    client.post("/fhir/Observation", headers=bob.headers, json=observation(bob.patient_id, "8867-4", 60, "/min"))
    mine = client.get("/fhir/Observation", headers=alice.headers).json()
    assert mine["total"] == 0


def test_questionnaires_come_from_the_catalogue_without_qlq_wording(client, world):
    patient = world.patient()
    found = client.get("/fhir/Questionnaire", headers=patient.headers).json()
    by_id = {e["resource"]["id"]: e["resource"] for e in found["entry"]}
    assert {"phq-9", "gad-7", "esas-r", "pro-ctcae", "eortc-qlq-c30", "distress-thermometer"} <= set(by_id)
    qlq = Questionnaire.model_validate(by_id["eortc-qlq-c30"])
    assert len(qlq.item) == 30 and all(item.text is None for item in qlq.item)
    read = client.get("/fhir/Questionnaire/phq-9", headers=patient.headers)
    assert read.status_code == 200 and len(read.json()["item"]) == 9


def test_questionnaire_responses_are_checked_against_the_instrument(client, world):
    patient = world.patient()
    ok = client.post("/fhir/QuestionnaireResponse", headers=patient.headers,
                     json=phq9(patient.patient_id, [1, 1, 0, 0, 2, 1, 0, 0, 0]))
    assert ok.status_code == 201, ok.text
    out_of_range = phq9(patient.patient_id, [4, 1, 0, 0, 2, 1, 0, 0, 0])
    assert client.post("/fhir/QuestionnaireResponse", headers=patient.headers,
                       json=out_of_range).status_code == 422
    unknown_item = phq9(patient.patient_id, [0] * 9)
    unknown_item["item"][0]["linkId"] = "phq9-99"
    assert client.post("/fhir/QuestionnaireResponse", headers=patient.headers,
                       json=unknown_item).status_code == 422
    unknown_instrument = phq9(patient.patient_id, [0] * 9)
    unknown_instrument["questionnaire"] = "http://example.org/Questionnaire/unknown"
    assert client.post("/fhir/QuestionnaireResponse", headers=patient.headers,
                       json=unknown_instrument).status_code == 422
    by_instrument = client.get("/fhir/QuestionnaireResponse", headers=patient.headers, params={
        "code": "http://survivorship-platform.org/fhir/Questionnaire/phq-9"}).json()
    assert by_instrument["total"] == 1


def test_unknown_type_and_unknown_id(client, world):
    patient = world.patient()
    assert client.get("/fhir/Observation/does-not-exist", headers=patient.headers).status_code == 404
    assert client.get("/fhir/Basic", headers=patient.headers).status_code == 422
    assert client.post("/fhir/Patient", headers=patient.headers,
                       json={"resourceType": "Patient"}).status_code in (405, 422)


def test_oversized_body_is_413(client, world):
    patient = world.patient()
    huge = observation(patient.patient_id, "8867-4", 72, "/min")
    huge["note"] = [{"text": "x" * 2_000_000}]
    assert client.post("/fhir/Observation", headers=patient.headers, json=huge).status_code == 413
