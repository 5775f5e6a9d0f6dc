from __future__ import annotations

import uuid
from datetime import date, timedelta

from app_backend.services.library.store import erase_reader_data

TODAY = date.today()


def resource(topics, **overrides) -> dict:
    body = {
        "id": f"t-{uuid.uuid4().hex[:12]}", "title": "Managing fatigue after treatment", "format": "article",
        "language": "en", "topics": topics, "audience": ["patient", "caregiver"],
        "summary": "Pacing, sleep and gentle activity.", "url": "https://example.org/fatigue",
        "validated_by": "Dr. Vera Validator", "validated_on": (TODAY - timedelta(days=30)).isoformat(),
        "next_review": (TODAY + timedelta(days=300)).isoformat(),
    }
    body.update(overrides)
    return body


def create(client, curator, body) -> dict:
    response = client.post("/library/resources", headers=curator.headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def esas(patient_id: str, tiredness: int) -> dict:
    scales = ["pain", "tiredness", "drowsiness", "nausea", "appetite", "shortness-of-breath",
              "depression", "anxiety", "wellbeing"]
    return {
        "resourceType": "QuestionnaireResponse", "status": "completed",
        "questionnaire": "http://survivorship-platform.org/fhir/Questionnaire/esas-r",
        "subject": {"reference": f"Patient/{patient_id}"}, "authored": f"{TODAY.isoformat()}T09:00:00+01:00",
        "item": [{"linkId": f"esas-{s}", "answer": [{"valueInteger": tiredness if s == "tiredness" else 1}]}
                 for s in scales],
    }


def test_curation_is_for_admins_and_clinician_editors(client, world):
    admin, clinician, patient = world.staff("admin"), world.staff("clinician"), world.patient()
    item = create(client, admin, resource(["sleep"]))
    assert item["recommendable"] is True
    assert client.post("/library/resources", headers=patient.headers, json=resource(["sleep"])).status_code == 403
    update = {k: v for k, v in resource(["sleep", "fatigue"]).items() if k != "id"}
    changed = client.put(f"/library/resources/{item['id']}", headers=clinician.headers, json=update)
    assert changed.status_code == 200 and changed.json()["topics"] == ["sleep", "fatigue"]
    duplicate = client.post("/library/resources", headers=admin.headers, json=resource(["x"], id=item["id"]))
    assert duplicate.status_code == 409
    bad = client.post("/library/resources", headers=admin.headers, json=resource(["sleep"], format="tiktok"))
    assert bad.status_code == 422
    retired = client.delete(f"/library/resources/{item['id']}", headers=admin.headers)
    assert retired.json()["status"] == "retired"
    assert client.get(f"/library/resources/{item['id']}", headers=patient.headers).status_code == 404


def test_readers_see_only_validated_current_items_and_can_filter(client, world):
    admin, patient = world.staff("admin"), world.patient()
    marker = uuid.uuid4().hex[:8]
    current = create(client, admin, resource(["nutrition"], title=f"Eating well {marker}", format="video",
                                             language="fr", cancer_types=["breast"]))
    expired = create(client, admin, resource(["nutrition"], title=f"Old advice {marker}",
                                             next_review=(TODAY - timedelta(days=1)).isoformat()))
    unvalidated = create(client, admin, resource(["nutrition"], title=f"Draft {marker}", validated_by=None,
                                                 validated_on=None))
    assert not expired["recommendable"] and not unvalidated["recommendable"]
    found = client.get("/library/resources", headers=patient.headers, params={"q": marker}).json()
    assert [i["id"] for i in found["items"]] == [current["id"]] and found["total"] == 1
    for params, expected in [({"language": "fr"}, 1), ({"language": "de"}, 0), ({"format": "video"}, 1),
                             ({"topic": "nutrition"}, 1), ({"topic": "pain"}, 0),
                             ({"cancer_type": "breast"}, 1), ({"cancer_type": "prostate"}, 0)]:
        page = client.get("/library/resources", headers=patient.headers, params={"q": marker, **params}).json()
        assert page["total"] == expected, params
    assert client.get("/library/resources", headers=patient.headers,
                      params={"include_unavailable": True}).status_code == 403
    everything = client.get("/library/resources", headers=admin.headers,
                            params={"q": marker, "include_unavailable": True}).json()
    assert everything["total"] == 3
    assert client.get("/library/resources", headers=patient.headers, params={"limit": 1000}).status_code == 422


def test_high_tiredness_brings_fatigue_resources_with_a_reason_and_never_expired_ones(client, world):
    admin, patient = world.staff("admin"), world.patient()
    fatigue = create(client, admin, resource(["fatigue"], language="nl"))
    expired = create(client, admin, resource(["fatigue"], language="nl",
                                             next_review=(TODAY - timedelta(days=1)).isoformat()))
    client.put("/library/preferences", headers=patient.headers, json={"languages": ["nl"]})
    cold = client.get("/library/recommendations", headers=patient.headers).json()
    assert cold["cold_start"] is True and cold["needs"] == []
    submitted = client.post(f"/health-record/{patient.patient_id}/prom-responses", headers=patient.headers,
                            json=esas(patient.patient_id, tiredness=8))
    assert submitted.status_code == 201, submitted.text
    body = client.get("/library/recommendations", headers=patient.headers, params={"limit": 20}).json()
    assert body["needs"] == ["fatigue"] and body["cold_start"] is False
    by_id = {r["resource"]["id"]: r for r in body["items"]}
    assert expired["id"] not in by_id
    reasons = by_id[fatigue["id"]]["reasons"]
    assert reasons[0]["code"] == "current_state" and "tiredness" in reasons[0]["text"]
    assert all(r["resource"]["language"] == "nl" for r in body["items"])


def test_preferences_interactions_and_erasure(client, world, app):
    admin, patient, caregiver = world.staff("admin"), world.patient(), world.caregiver()
    podcast = create(client, admin, resource(["return-to-work"], format="podcast", language="it"))
    saved = client.put("/library/preferences", headers=patient.headers, json={
        "topics": ["return-to-work"], "formats": ["podcast"], "languages": ["it"], "phase": "post-treatment"})
    assert saved.status_code == 200 and saved.json()["phase"] == "post-treatment"
    recs = client.get("/library/recommendations", headers=patient.headers).json()["items"]
    first = next(r for r in recs if r["resource"]["id"] == podcast["id"])
    assert [r["code"] for r in first["reasons"]][:2] == ["preferred_topic", "preferred_format"]
    assert client.post("/library/interactions", headers=patient.headers,
                       json={"resource_id": podcast["id"], "kind": "rate"}).status_code == 422
    assert client.post("/library/interactions", headers=patient.headers,
                       json={"resource_id": "nope", "kind": "view"}).status_code == 404
    done = client.post("/library/interactions", headers=patient.headers,
                       json={"resource_id": podcast["id"], "kind": "complete"})
    assert done.status_code == 201
    recs = client.get("/library/recommendations", headers=patient.headers).json()["items"]
    assert podcast["id"] not in {r["resource"]["id"] for r in recs}  # already read
    assert client.get("/library/recommendations", headers=caregiver.headers).status_code == 200
    clinician = world.staff("clinician")
    assert client.get("/library/recommendations", headers=clinician.headers).status_code == 403
    assert client.put("/library/preferences", headers=patient.headers, json={"formats": ["hologram"]}).status_code == 422
    with app.state.session_factory() as session:
        assert erase_reader_data(session, patient.id) == 2
        session.commit()
    assert client.get("/library/preferences", headers=patient.headers).json()["topics"] == []
