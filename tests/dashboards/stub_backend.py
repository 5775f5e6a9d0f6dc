"""A small real HTTP server speaking the backend's contract (ARCHITECTURE.md, app_backend's
clinician routes), for when app_backend cannot be started. It also lets the tests use an
`analyst` role, which the backend does not define yet."""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class StubBackend:
    def __init__(self) -> None:
        self.users: dict[str, dict] = {}  # email -> {password, role, name, id}
        self.tokens: dict[str, str] = {}  # token -> email
        self.care_teams: dict[str, list[dict]] = {}  # clinician email -> /clinician/patients rows
        self.realtime_alerts: list[dict] = []
        self.tasks: list[dict] = []
        self.requests: list[tuple[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def add_user(self, email: str, password: str, role: str, name: str) -> None:
        self.users[email] = {"password": password, "role": role, "name": name,
                             "id": len(self.users) + 1}  # fmt: skip

    def start(self) -> StubBackend:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn does
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, body=None) -> None:
                payload = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _caller(self) -> dict | None:
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                email = stub.tokens.get(token)
                return {"email": email, **stub.users[email]} if email else None

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_POST(self):
                url = urlparse(self.path)
                stub.requests.append(("POST", url.path))
                if url.path == "/auth/token":
                    form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
                    user = stub.users.get(form.get("username", ""))
                    if not user or user["password"] != form.get("password"):
                        return self._send(401, {"detail": "wrong email or password"})
                    token = secrets.token_urlsafe(16)
                    stub.tokens[token] = form["username"]
                    return self._send(200, {"access_token": token, "refresh_token": "r-" + token,
                                            "token_type": "bearer", "expires_in": 900})
                caller = self._caller()
                if caller is None:
                    return self._send(401, {"detail": "not signed in"})
                parts = url.path.strip("/").split("/")
                if parts[:2] == ["clinician", "alerts"] and len(parts) == 4 and parts[3] == "actions":
                    body = json.loads(self._body() or b"{}")
                    status = {"acknowledge": "accepted", "resolve": "completed", "assign": "received"}
                    task = {"resourceType": "Task", "status": status[body["action"]],
                            "focus": {"identifier": {"value": parts[2]}},
                            "for": {"reference": f"Patient/{body['patient_id']}"},
                            "note": [{"text": body.get("note")}], "lastModified": "2026-01-01T00:00:00Z"}
                    stub.tasks.append(task)
                    return self._send(201, task)
                return self._send(404, {"detail": "not found"})

            def do_GET(self):
                url = urlparse(self.path)
                stub.requests.append(("GET", url.path))
                caller = self._caller()
                if caller is None:
                    return self._send(401, {"detail": "not signed in"})
                if url.path == "/auth/me":
                    return self._send(200, {"id": caller["id"], "email": caller["email"],
                                            "name": caller["name"], "role": caller["role"]})
                if url.path.startswith("/clinician/") and caller["role"] != "clinician":
                    return self._send(403, {"detail": "clinicians only"})
                if url.path == "/clinician/patients":
                    return self._send(200, stub.care_teams.get(caller["email"], []))
                if url.path == "/clinician/alerts":
                    return self._send(200, stub.realtime_alerts)
                if url.path == "/clinician/alerts/actions":
                    patient = parse_qs(url.query).get("patient_id", [""])[0]
                    tasks = [t for t in stub.tasks if t["for"]["reference"] == f"Patient/{patient}"]
                    return self._send(200, {"resourceType": "Bundle", "type": "searchset",
                                            "entry": [{"resource": t} for t in tasks]})
                if url.path.startswith("/fhir/Patient/") and url.path.endswith("/$summary"):
                    patient = url.path.split("/")[3]
                    return self._send(200, {"resourceType": "Bundle", "type": "document", "entry": [
                        {"resource": {"resourceType": "Composition", "type": {"coding": [
                            {"system": "http://loinc.org", "code": "60591-5"}]},
                            "subject": {"reference": f"Patient/{patient}"}}}]})
                return self._send(404, {"detail": "not found"})

        return Handler
