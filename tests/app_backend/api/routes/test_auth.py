"""Accounts: registration, OAuth2 password sign-in, refresh, sign-out, throttling, token forgery."""

from datetime import timedelta

import jwt

from app_backend import security
from tests.app_backend.conftest import PASSWORD


def test_register_sign_in_and_me(client, world):
    patient = world.patient(name="Robin Example")
    me = client.get("/auth/me", headers=patient.headers)
    assert me.status_code == 200
    body = me.json()
    assert body["role"] == "patient" and body["patient_id"] == patient.patient_id
    # Registration created the patient's FHIR Patient.
    fhir_patient = client.get(f"/fhir/Patient/{patient.patient_id}", headers=patient.headers).json()
    assert fhir_patient["name"][0]["family"] == "Example"
    assert fhir_patient["birthDate"] == "1968-04-02"


def test_duplicate_registration_is_409(client, world):
    patient = world.patient()
    again = client.post("/auth/register", json={"email": patient.email.upper(), "password": "another password",
                                                 "name": "Someone"})
    assert again.status_code == 409


def test_weak_or_missing_fields_are_422(client):
    assert client.post("/auth/register", json={"email": "x@example.org", "password": "short",
                                               "name": "A"}).status_code == 422
    assert client.post("/auth/register", json={"email": "not-an-email", "password": "long enough pw",
                                               "name": "A"}).status_code == 422


def test_no_token_or_a_forged_one_is_401(client, world, settings):
    patient = world.patient()
    assert client.get("/auth/me").status_code == 401
    unsigned = jwt.encode({"sub": str(patient.id), "typ": "access", "exp": 9999999999}, key=None,
                          algorithm="none")
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {unsigned}"}).status_code == 401
    wrong_key = jwt.encode({"sub": str(patient.id), "typ": "access", "ver": 0, "exp": 9999999999},
                           "another-secret-key-of-sufficient-length!", algorithm="HS256")
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {wrong_key}"}).status_code == 401


def test_expired_and_refresh_tokens_are_not_access_tokens(client, world, settings):
    patient = world.patient()
    expired = security.create_token(subject=str(patient.id), kind=security.ACCESS,
                                    secret=settings.secret_key, lifetime=timedelta(seconds=-1),
                                    token_version=0, role="patient")
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    tokens = client.post("/auth/token", data={"username": patient.email, "password": PASSWORD}).json()
    refresh = tokens["refresh_token"]
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {refresh}"}).status_code == 401
    renewed = client.post("/auth/refresh", json={"refresh_token": refresh})
    assert renewed.status_code == 200
    assert client.get("/auth/me", headers={
        "Authorization": f"Bearer {renewed.json()['access_token']}"}).status_code == 200
    assert client.post("/auth/refresh", json={"refresh_token": tokens["access_token"]}).status_code == 401


def test_logout_revokes_every_token(client, world):
    patient = world.patient()
    assert client.post("/auth/logout", headers=patient.headers).status_code == 204
    assert client.get("/auth/me", headers=patient.headers).status_code == 401


def test_password_change(client, world):
    patient = world.patient()
    bad = client.post("/auth/password", headers=patient.headers,
                      json={"current_password": "wrong one!!", "new_password": "a new long password"})
    assert bad.status_code == 400
    ok = client.post("/auth/password", headers=patient.headers,
                     json={"current_password": PASSWORD, "new_password": "a new long password"})
    assert ok.status_code == 204
    assert world.login(patient.email, "a new long password")


def test_login_is_throttled_after_repeated_failures(client, world, settings):
    patient = world.patient()
    for _ in range(settings.login_max_failures):
        r = client.post("/auth/token", data={"username": patient.email, "password": "wrong password"})
        assert r.status_code == 401
    blocked = client.post("/auth/token", data={"username": patient.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers


def test_unknown_account_and_wrong_password_look_the_same(client):
    r = client.post("/auth/token", data={"username": "nobody-xyz@example.org", "password": "whatever pw"})
    assert r.status_code == 401 and r.json()["detail"] == "wrong email or password"


def test_health_and_openapi(client):
    assert client.get("/health").json() == {"status": "ok", "database": "ok"}
    spec = client.get("/openapi.json").json()
    assert "/fhir/{resource_type}" in spec["paths"] and "/auth/token" in spec["paths"]
