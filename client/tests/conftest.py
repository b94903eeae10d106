"""Fixtures for the client tests: a real HTTP server standing in for Tunebench, and a clean env.

Only the network edge is faked: `FakeServer` is a `ThreadingHTTPServer` on a free local port that
serves the wire format the client is written against (`/api/v1/me/`, paginated `/api/v1/teams/`,
problem+json errors, `Authorization: Token` checked), so requests, headers and error mapping all
run for real. Tests replace one endpoint's answer with `server.respond(...)`. The autouse fixture
points HOME at `tmp_path` and clears `TUNEBENCH_*`, so no test reads or writes a real config.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import tunebench
import tunebench.client

API_KEY = "tb_test1234_s3cr3t-value"
PAGE_SIZE = 2  # the fake server's default and maximum `limit`, so three teams span two pages

USER = {
    "id": 1,
    "username": "ada",
    "email": "ada@example.org",
    "date_joined": "2026-11-29T06:00:00Z",
    "teams": [
        {"id": 3, "slug": "lab", "name": "Lab", "role": "owner"},
        {"id": 4, "slug": "ml-group", "name": "ML Group", "role": "member"},
    ],
}
TEAMS = [
    {
        "id": 3,
        "slug": "lab",
        "name": "Lab",
        "description": "",
        "member_count": 2,
        "created_at": "2026-11-29T06:00:00Z",
    },
    {
        "id": 4,
        "slug": "ml-group",
        "name": "ML Group",
        "description": "Machine learning",
        "member_count": 12,
        "created_at": "2026-11-29T07:00:00Z",
    },
    {
        "id": 5,
        "slug": "x",
        "name": "Extended Research Team",
        "description": "",
        "member_count": 1,
        "created_at": "2026-11-29T08:00:00Z",
    },
]


def problem(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 problem document as the server sends it."""
    return {
        "type": f"https://tunebench.example.org/problems/{code}",
        "title": detail,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }


@dataclass
class Canned:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]
    delay: float


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class FakeServer:
    url: str = ""
    next_base: str | None = None  # site root written into `next` links; defaults to `url`
    canned: dict[tuple[str, str], Canned] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)

    def respond(
        self,
        method: str,
        path: str,
        status: int = 200,
        body: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
        delay: float = 0,
    ) -> None:
        """Answer `method path` with this response (JSON `body`, or `raw` bytes) from now on."""
        if raw is None:
            raw = json.dumps(body).encode()
            content_type = content_type or (
                "application/problem+json" if status >= 400 else "application/json"
            )
        self.canned[(method, path)] = Canned(
            status, raw, content_type or "text/plain", headers or {}, delay
        )

    def teams_page(self, query: dict[str, list[str]]) -> dict[str, Any]:
        limit = min(int(query.get("limit", [PAGE_SIZE])[0]), PAGE_SIZE)
        offset = int(query.get("offset", ["0"])[0])
        end = offset + limit
        return {
            "count": len(TEAMS),
            "next": f"{self.next_base or self.url}/api/v1/teams/?limit={limit}&offset={end}"
            if end < len(TEAMS)
            else None,
            "previous": None,
            "results": TEAMS[offset:end],
        }


def _handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str]):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: Any) -> None:
            content_type = "application/problem+json" if status >= 400 else "application/json"
            self._send(status, json.dumps(data).encode(), content_type, {})

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            server.requests.append(
                Recorded(self.command, parts.path, parse_qs(parts.query), dict(self.headers))
            )
            canned = server.canned.get((self.command, parts.path))
            if canned is not None:
                time.sleep(canned.delay)
                self._send(canned.status, canned.body, canned.content_type, canned.headers)
                return
            if self.headers.get("Authorization") != f"Token {API_KEY}":
                self._json(401, problem(401, "not_authenticated", "Invalid API key."))
            elif (self.command, parts.path) == ("GET", "/api/v1/me/"):
                self._json(200, USER)
            elif (self.command, parts.path) == ("GET", "/api/v1/teams/"):
                self._json(200, server.teams_page(parse_qs(parts.query)))
            else:
                self._json(404, problem(404, "not_found", "Not found."))

        do_GET = do_POST = do_DELETE = _handle

    return Handler


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out has hung up before a delayed answer: expected, not a failure.
        if isinstance(sys.exception(), ConnectionError):
            return
        super().handle_error(request, client_address)


@pytest.fixture
def server():
    """A running `FakeServer`; `server.url` is its site root."""
    fake = FakeServer()
    httpd = _Server(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    # a short poll interval: shutdown() waits up to one interval, 0.5 s by default, per test
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield fake
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def closed_url():
    """The URL of a local port that was free a moment ago, so nothing listens on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def api_key():
    """The one key the fake server accepts."""
    return API_KEY


@pytest.fixture
def client(server):
    """A client for `server` with a valid key."""
    with tunebench.Client(server.url, API_KEY) as api:
        yield api


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No test sees the developer's TUNEBENCH_* variables, config file or default connection."""
    for name in ("TUNEBENCH_URL", "TUNEBENCH_API_KEY", "TUNEBENCH_CONFIG", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(tunebench.client, "_default", None)
