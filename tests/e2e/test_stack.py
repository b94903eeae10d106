"""The whole platform in real processes: a web server, a celery worker, the broker, a database.

Runs on the embedded default (SQLite + filesystem broker) and, in CI's second leg, on
MySQL + Redis. A job goes from the web process's database transaction, through the broker,
to a worker process, and its effect is read back over HTTP.
"""

import json
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def http(stack, path, *, key=None, method="GET", body=None):
    headers = {"Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Token {key}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(
        f"{stack.url}{path}", data=data, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_a_job_round_trips_through_the_broker_to_a_real_worker(live_stack):
    ping = live_stack.manage("ping_workers", "--wait", "60")
    assert ping.returncode == 0, ping.stdout + ping.stderr
    assert ping.stdout.splitlines() == [
        "queue default: ok",
        "queue score: ok",
        "queue execute: ok",
    ]
    status, health = http(live_stack, "/api/v1/health/")
    assert status == 200
    assert health["status"] == "ok"
    assert health["database"] is True
    assert [(q["queue"], q["is_online"]) for q in health["queues"]] == [
        ("default", True),
        ("score", True),
        ("execute", True),
    ]
    assert all(q["hostname"].startswith(f"e2e-{live_stack.port}@") for q in health["queues"])


def test_an_operator_key_works_over_http_and_revocation_locks_it_out(live_stack):
    created = live_stack.manage("create_api_key", "e2e-operator", "--create-user", "--name", "ops")
    assert created.returncode == 0, created.stderr
    key = created.stdout.split()[-1]
    assert key.startswith("tb_")

    status, me = http(live_stack, "/api/v1/me/", key=key)
    assert (status, me["username"], me["teams"]) == (200, "e2e-operator", [])

    status, team = http(live_stack, "/api/v1/teams/", key=key, method="POST", body={"name": "E2E"})
    assert (status, team["slug"], team["member_count"]) == (201, "e2e", 1)

    status, keys = http(live_stack, "/api/v1/api-keys/", key=key)
    (listed,) = keys["results"]
    status, _ = http(live_stack, f"/api/v1/api-keys/{listed['id']}/", key=key, method="DELETE")
    assert status == 204
    status, problem = http(live_stack, "/api/v1/me/", key=key)
    assert (status, problem["code"]) == (401, "revoked_api_key")


def test_bad_json_over_http_is_a_problem_not_a_500(live_stack):
    created = live_stack.manage("create_api_key", "e2e-json", "--create-user")
    key = created.stdout.split()[-1]
    request = urllib.request.Request(
        f"{live_stack.url}/api/v1/teams/",
        data=b'{"name": ',
        method="POST",
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 400
    assert caught.value.headers["Content-Type"] == "application/problem+json"
    assert json.loads(caught.value.read())["code"] == "parse_error"
