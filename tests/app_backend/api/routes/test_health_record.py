"""The health-record module: quick entry, real-time rules with guidance and care-team alerts,
medications and adherence, hospital Bundle import, and the International Patient Summary."""

import csv

from fhir.resources.R4B.bundle import Bundle

from tests.app_backend.conftest import observation, phq9


def _param(settings, rule_id: str, name: str) -> float:
    with (settings.catalogue_dir / "alert_rule_params.csv").open() as handle:
        return next(float(r["value"]) for r in csv.DictReader(handle)
                    if r["rule_id"] == rule_id and r["param"] == name)


def test_fever_at_the_catalogue_threshold_alerts_the_team_and_guides_the_patient(client, world, settings):
    patient, clinician = world.patient(), world.staff("clinician")
    world.care_team([clinician], [patient])
    threshold = _param(settings, "FEVER", "temperature_min")
    below = client.post(f"/health-record/{patient.patient_id}/vitals", headers=patient.headers,
                        json={"kind": "body-temperature", "value": threshold - 0.1})
    assert below.status_code == 201 and below.json()["alerts"] == []
    at = client.post(f"/health-record/{patient.patient_id}/vitals", headers=patient.headers,
                     json={"kind": "body-temperature", "value": threshold})
    body = at.json()
    assert [a["rule_id"] for a in body["alerts"]] == ["FEVER"]
    assert body["alerts"][0]["severity"] == "urgent"
    assert "112" in body["guidance"][0] and "care team" in body["guidance"][0]
    alerts = client.get("/clinician/alerts", headers=clinician.headers).json()
    assert [(a["rule_id"], a["patient_id"]) for a in alerts] == [("FEVER", patient.patient_id)]
    assert alerts[0]["focus"] == f"Observation/{body['resource']['id']}"


def test_fahrenheit_fever_and_low_spo2_through_fhir_create(client, world, settings):
    patient = world.patient()
    fever = client.post("/fhir/Observation", headers={**patient.headers, "Prefer": "return=OperationOutcome"},
                        json=observation(patient.patient_id, "8310-5", 101.3, "[degF]"))
    assert fever.status_code == 201
    outcome = fever.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert any("temperature" in i["diagnostics"] for i in outcome["issue"] if i["severity"] == "warning")
    spo2_below = _param(settings, "SPO2-LOW", "spo2_below")
    low = client.post(f"/health-record/{patient.patient_id}/vitals", headers=patient.headers,
                      json={"kind": "oxygen-saturation", "value": spo2_below - 1})
    assert [a["rule_id"] for a in low.json()["alerts"]] == ["SPO2-LOW"]
    normal = client.post(f"/health-record/{patient.patient_id}/vitals", headers=patient.headers,
                         json={"kind": "oxygen-saturation", "value": spo2_below})
    assert normal.json()["alerts"] == []


def test_phq9_item9_alerts_whatever_the_total(client, world):
    patient = world.patient()
    response = client.post(f"/health-record/{patient.patient_id}/prom-responses", headers=patient.headers,
                           json=phq9(patient.patient_id, [0, 0, 0, 0, 0, 0, 0, 0, 1]))
    assert response.status_code == 201, response.text
    body = response.json()
    assert [a["rule_id"] for a in body["alerts"]] == ["PHQ9-ITEM9"]
    assert body["alerts"][0]["evidence"]["value"] == 1
    assert "emergency" in body["guidance"][0]
    calm = client.post(f"/health-record/{patient.patient_id}/prom-responses", headers=patient.headers,
                       json=phq9(patient.patient_id, [3, 3, 3, 3, 3, 3, 3, 3, 0]))
    assert calm.json()["alerts"] == []


def test_quick_symptom_entry(client, world):
    patient = world.patient()
    esas = client.post(f"/health-record/{patient.patient_id}/symptoms", headers=patient.headers,
                       json={"instrument": "esas-r", "answers": {"esas-pain": 6, "esas-tiredness": 8}})
    assert esas.status_code == 201, esas.text
    response = esas.json()["resource"]
    assert response["questionnaire"].endswith("/esas-r")
    assert [i["linkId"] for i in response["item"]] == ["esas-pain", "esas-tiredness"]
    assert response["author"] == {"reference": f"Patient/{patient.patient_id}"}
    ctcae = client.post(f"/health-record/{patient.patient_id}/symptoms", headers=patient.headers,
                        json={"instrument": "pro-ctcae",
                              "answers": {"nausea-frequency": 2, "nausea-severity": "prefer-not-to-answer"}})
    assert ctcae.status_code == 201, ctcae.text
    coded = ctcae.json()["resource"]["item"][1]["answer"][0]["valueCoding"]
    assert coded["code"] == "prefer-not-to-answer"
    out_of_range = client.post(f"/health-record/{patient.patient_id}/symptoms", headers=patient.headers,
                               json={"instrument": "esas-r", "answers": {"esas-pain": 11}})
    assert out_of_range.status_code == 422


def test_medications_and_adherence(client, world):
    patient = world.patient()
    med = client.post(f"/health-record/{patient.patient_id}/medications", headers=patient.headers,
                      json={"name": "Letrozole 2.5 mg", "dosage": "1 tablet daily", "start": "2026-01-10"})
    assert med.status_code == 201, med.text
    med_id = med.json()["resource"]["id"]
    base = f"/health-record/{patient.patient_id}/medications/{med_id}"
    for taken in (True, True, True, False):
        r = client.post(f"{base}/intakes", headers=patient.headers,
                        json={"taken": taken, **({} if taken else {"reason": "nausea"})})
        assert r.status_code == 201, r.text
    adherence = client.get(f"{base}/adherence", headers=patient.headers).json()
    assert adherence == {"medication_id": med_id, "days": 30, "taken": 3, "missed": 1, "adherence_pct": 75.0}
    assert client.get(f"/health-record/{patient.patient_id}/medications/unknown/adherence",
                      headers=patient.headers).status_code == 404


def test_medical_events(client, world):
    patient = world.patient()
    for kind in ("condition", "procedure", "immunization", "allergy"):
        r = client.post(f"/health-record/{patient.patient_id}/events", headers=patient.headers,
                        json={"kind": kind, "text": f"a {kind}", "date": "2025-03-01"})
        assert r.status_code == 201, r.text
    conditions = client.get("/fhir/Condition", headers=patient.headers).json()
    assert conditions["total"] == 1 and conditions["entry"][0]["resource"]["code"]["text"] == "a condition"


def _hospital_bundle() -> dict:
    return {
        "resourceType": "Bundle", "type": "transaction",
        "entry": [
            {"fullUrl": "urn:uuid:11111111-1111-1111-1111-111111111111",
             "resource": {"resourceType": "Patient", "id": "hosp-p1", "name": [{"family": "Hospital"}]},
             "request": {"method": "POST", "url": "Patient"}},
            {"fullUrl": "urn:uuid:22222222-2222-2222-2222-222222222222",
             "resource": {"resourceType": "Condition",
                          "code": {"coding": [{"system": "http://snomed.info/sct", "code": "254837009",
                                               "display": "Malignant neoplasm of breast"}]},
                          "subject": {"reference": "urn:uuid:11111111-1111-1111-1111-111111111111"}},
             "request": {"method": "POST", "url": "Condition"}},
            {"fullUrl": "urn:uuid:33333333-3333-3333-3333-333333333333",
             "resource": {**observation("hosp-p1", "8310-5", 38.6, "Cel"),
                          "subject": {"reference": "urn:uuid:11111111-1111-1111-1111-111111111111"},
                          "hasMember": [{"reference": "urn:uuid:22222222-2222-2222-2222-222222222222"}]},
             "request": {"method": "POST", "url": "Observation"}},
            {"resource": {"resourceType": "Organization", "name": "General Hospital"}},
        ],
    }


def test_import_of_a_hospital_bundle(client, world):
    patient = world.patient()
    response = client.post(f"/health-record/{patient.patient_id}/import", headers=patient.headers,
                           json=_hospital_bundle())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["imported"] == {"Condition": 1, "Observation": 1}
    assert len(body["skipped"]) == 1 and body["skipped"][0].startswith("Organization")
    assert [a["rule_id"] for a in body["alerts"]] == ["FEVER"]
    conditions = client.get("/fhir/Condition", headers=patient.headers).json()["entry"]
    assert conditions[0]["resource"]["subject"] == {"reference": f"Patient/{patient.patient_id}"}
    obs = client.get("/fhir/Observation", headers=patient.headers).json()["entry"][0]["resource"]
    assert obs["hasMember"] == [{"reference": f"Condition/{conditions[0]['resource']['id']}"}]
    broken = _hospital_bundle()
    broken["entry"][1]["resource"]["code"] = "not a concept"
    assert client.post(f"/health-record/{patient.patient_id}/import", headers=patient.headers,
                       json=broken).status_code == 422
    # All or nothing: the broken Bundle left nothing behind.
    assert client.get("/fhir/Condition", headers=patient.headers).json()["total"] == 1


def test_patient_summary_is_a_valid_ips_document(client, world):
    patient = world.patient()
    client.post(f"/health-record/{patient.patient_id}/medications", headers=patient.headers,
                json={"name": "Tamoxifen 20 mg"})
    client.post(f"/health-record/{patient.patient_id}/vitals", headers=patient.headers,
                json={"kind": "body-weight", "value": 64.5})
    client.post(f"/health-record/{patient.patient_id}/vitals", headers=patient.headers,
                json={"kind": "blood-pressure", "value": 128, "diastolic": 82})
    client.post(f"/health-record/{patient.patient_id}/prom-responses", headers=patient.headers,
                json=phq9(patient.patient_id, [0] * 9))
    response = client.get(f"/fhir/Patient/{patient.patient_id}/$summary", headers=patient.headers)
    assert response.status_code == 200, response.text
    bundle = Bundle.model_validate(response.json())
    assert bundle.type == "document"
    composition = bundle.entry[0].resource
    assert composition.get_resource_type() == "Composition"
    assert composition.type.coding[0].code == "60591-5"
    sections = {s.code.coding[0].code: s for s in composition.section}
    assert {"10160-0", "48765-2", "11450-4"} <= set(sections)
    assert sections["48765-2"].emptyReason is not None and sections["11450-4"].emptyReason is not None
    assert len(sections["10160-0"].entry) == 1 and len(sections["8716-3"].entry) == 2
    assert "47420-5" in sections
    # Every reference in the Composition resolves inside the Bundle.
    present = {f"{e.resource.get_resource_type()}/{e.resource.id}" for e in bundle.entry}
    for section in composition.section:
        for entry in section.entry or []:
            assert entry.reference in present
    provenance = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Provenance"]
    assert provenance and provenance[0].agent[0].who.reference == f"Patient/{patient.patient_id}"


def test_device_files_go_to_the_landing_zone_for_the_pipeline(client, world, settings):
    patient = world.patient()
    omh = {"header": {"schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"}},
           "body": {"heart_rate": {"value": 64, "unit": "beats/min"},
                    "effective_time_frame": {"date_time": "2026-11-20T07:00:00Z"}}}
    import json as _json
    response = client.post(f"/health-record/{patient.patient_id}/device-files", headers=patient.headers,
                           files={"file": ("../../etc/evil name.json", _json.dumps(omh).encode(), "application/json")})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["kind"] == "open-mhealth"
    landed = settings.landing_dir / "devices" / "open-mhealth" / f"patient={patient.patient_id}" / body["stored_as"]
    assert landed.is_file() and "evil" not in body["stored_as"]
    rejected = client.post(f"/health-record/{patient.patient_id}/device-files", headers=patient.headers,
                           files={"file": ("x.txt", b"just some text", "text/plain")})
    assert rejected.status_code == 422
    bundle = client.post(f"/health-record/{patient.patient_id}/device-files", headers=patient.headers,
                         files={"file": ("b.json", _json.dumps(_hospital_bundle()).encode(), "application/json")})
    assert bundle.status_code == 422 and "import" in bundle.text
