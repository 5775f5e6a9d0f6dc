"""Administration: staff accounts, care teams, and the audit trail (admins only)."""

from fhir.resources.R4B.bundle import Bundle


def test_admin_creates_staff_and_teams(client, world):
    admin = world.staff("admin")
    created = client.post("/admin/users", headers=admin.headers, json={
        "email": "dr-new-person@example.org", "password": "a long password", "name": "Dr New",
        "role": "clinician"})
    assert created.status_code == 201 and created.json()["role"] == "clinician"
    assert world.login("dr-new-person@example.org", "a long password")
    users = client.get("/admin/users", headers=admin.headers, params={"_count": 200}).json()
    assert any(u["email"] == "dr-new-person@example.org" for u in users)
    team = client.post("/admin/care-teams", headers=admin.headers, json={"name": "Oncology West"})
    assert team.status_code == 201
    team_id = team.json()["id"]
    again = client.post("/admin/care-teams", headers=admin.headers, json={"name": "Oncology West"})
    assert again.status_code == 409
    patient = world.patient()
    with_member = client.post(f"/admin/care-teams/{team_id}/members", headers=admin.headers,
                              json={"user_id": created.json()["id"]}).json()
    assert with_member["member_ids"] == [created.json()["id"]]
    not_clinician = client.post(f"/admin/care-teams/{team_id}/members", headers=admin.headers,
                                json={"user_id": patient.id})
    assert not_clinician.status_code == 422
    client.post(f"/admin/care-teams/{team_id}/patients", headers=admin.headers,
                json={"patient_id": patient.patient_id})
    removed = client.delete(f"/admin/care-teams/{team_id}/patients/{patient.patient_id}", headers=admin.headers)
    assert removed.json()["patient_ids"] == []
    gone = client.delete(f"/admin/care-teams/{team_id}/members/{created.json()['id']}", headers=admin.headers)
    assert gone.json()["member_ids"] == []
    assert any(t["id"] == team_id for t in client.get("/admin/care-teams", headers=admin.headers).json())


def test_deactivation_ends_sessions(client, world):
    admin, clinician = world.staff("admin"), world.staff("clinician")
    r = client.patch(f"/admin/users/{clinician.id}", headers=admin.headers, json={"is_active": False})
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert client.get("/auth/me", headers=clinician.headers).status_code == 401
    assert client.patch("/admin/users/999999", headers=admin.headers, json={"name": "x"}).status_code == 404


def test_non_admins_are_forbidden(client, world):
    for role in ("clinician", "moderator", "service"):
        person = world.staff(role)
        assert client.get("/admin/users", headers=person.headers).status_code == 403
        assert client.get("/admin/audit-events", headers=person.headers).status_code == 403
    patient = world.patient()
    assert client.post("/admin/users", headers=patient.headers, json={
        "email": "x-y@example.org", "password": "a long password", "name": "X", "role": "admin"}).status_code == 403


def test_every_access_by_others_is_audited_and_the_patients_own_is_not(client, world):
    admin, patient, clinician = world.staff("admin"), world.patient(), world.staff("clinician")
    outsider = world.staff("clinician")
    world.care_team([clinician], [patient])
    client.get(f"/fhir/Patient/{patient.patient_id}", headers=patient.headers)
    client.get(f"/fhir/Patient/{patient.patient_id}", headers=clinician.headers)
    client.get(f"/fhir/Observation?patient={patient.patient_id}", headers=clinician.headers)
    client.get(f"/fhir/Patient/{patient.patient_id}", headers=outsider.headers)
    response = client.get("/admin/audit-events", headers=admin.headers, params={"patient": patient.patient_id})
    bundle = Bundle.model_validate(response.json())
    events = [e.resource for e in bundle.entry]
    who = [(e.agent[0].who.reference, e.outcome) for e in events]
    assert (f"User/{clinician.id}", "0") in who
    assert (f"User/{outsider.id}", "4") in who  # the denied attempt is recorded too
    assert all(ref != f"User/{patient.id}" for ref, _ in who)
    assert {e.action for e in events if e.agent[0].who.reference == f"User/{clinician.id}"} == {"R"}
    purposes = {e.purposeOfEvent[0].coding[0].code for e in events}
    assert {"treatment", "denied"} <= purposes
