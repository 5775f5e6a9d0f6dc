"""A small real FHIR Bulk Data server for the client tests (127.0.0.1, a random port, a thread)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, urlparse


class BulkServer:
    def __init__(self, files: dict[str, list[dict]], token: str = "secret", polls_before_ready: int = 2,
                 transaction_time: str = "2026-11-20T10:00:00+00:00"):
        self.files = files
        self.token = token
        self.polls_before_ready = polls_before_ready
        self.transaction_time = transaction_time
        self.requests: list[tuple[str, str, dict]] = []  # (method, path with query, headers)
        self.fail_kickoff: int | None = None
        self.fail_status: int | None = None
        self.never_ready = False
        self._polls = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _send(self, status: int, body: bytes = b"", headers: dict | None = None):
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                server.requests.append(("GET", self.path, dict(self.headers)))
                if self.headers.get("Authorization") != f"Bearer {server.token}":
                    outcome = {"resourceType": "OperationOutcome",
                               "issue": [{"severity": "error", "code": "login", "diagnostics": "bad token"}]}
                    return self._send(401, json.dumps(outcome).encode())
                url = urlparse(self.path)
                base = f"http://127.0.0.1:{server.port}"
                if url.path == "/fhir/$export":
                    if server.fail_kickoff:
                        outcome = {"resourceType": "OperationOutcome",
                                   "issue": [{"severity": "error", "code": "exception", "diagnostics": "database down"}]}
                        return self._send(server.fail_kickoff, json.dumps(outcome).encode())
                    server.query = parse_qs(url.query)
                    return self._send(202, headers={"Content-Location": f"{base}/status/1"})
                if url.path == "/status/1":
                    if server.fail_status:
                        return self._send(server.fail_status, b"boom")
                    server._polls += 1
                    if server.never_ready or server._polls <= server.polls_before_ready:
                        return self._send(202, headers={"Retry-After": "0", "X-Progress": "working"})
                    wanted = server.query.get("_type", [",".join(server.files)])[0].split(",")
                    manifest = {"transactionTime": server.transaction_time, "request": f"{base}/fhir/$export",
                                "requiresAccessToken": True, "error": [],
                                "output": [{"type": t, "url": f"{base}/files/{t}.ndjson"} for t in wanted]}
                    return self._send(200, json.dumps(manifest).encode(), {"Content-Type": "application/json"})
                if url.path.startswith("/files/"):
                    rtype = url.path.rsplit("/", 1)[-1].removesuffix(".ndjson")
                    body = "".join(json.dumps(r) + "\n" for r in server.files.get(rtype, []))
                    return self._send(200, body.encode(), {"Content-Type": "application/fhir+ndjson"})
                return self._send(404)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/fhir"
        self.query: dict = {}
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
