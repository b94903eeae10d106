"""The HTTP layer: headers sent, error statuses mapped to exceptions, unreachable servers."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

import tunebench
from tunebench.api import parse_retry_after


def problem(status, code, detail, **extra):
    return {
        "type": "about:blank",
        "title": "Error",
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }


def test_requests_carry_token_and_user_agent(server, client, api_key):
    client.whoami()
    headers = server.requests[-1].headers
    assert headers["Authorization"] == f"Token {api_key}"
    assert headers["User-Agent"] == f"tunebench-python/{tunebench.__version__}"


def test_client_without_key_sends_no_authorization_header(server):
    with tunebench.Client(server.url) as anonymous, pytest.raises(tunebench.AuthenticationError):
        anonymous.whoami()
    assert "Authorization" not in server.requests[-1].headers


def test_invalid_key_raises_authentication_error_with_readable_message(server):
    client = tunebench.Client(server.url, "tb_wrong000_key")
    with client, pytest.raises(tunebench.AuthenticationError) as excinfo:
        client.whoami()
    assert str(excinfo.value) == "not_authenticated: Invalid API key. (HTTP 401)"


@pytest.mark.parametrize(
    ("status", "code", "exception"),
    [
        (400, "invalid", tunebench.ValidationError),
        (401, "not_authenticated", tunebench.AuthenticationError),
        (403, "permission_denied", tunebench.PermissionDenied),
        (404, "team-not-found", tunebench.NotFound),
        (429, "throttled", tunebench.Throttled),
        (500, "internal_error", tunebench.ServerError),
        (503, "maintenance", tunebench.ServerError),
        (409, "team-slug-taken", tunebench.TunebenchError),
    ],
)
def test_error_status_maps_to_exception_with_problem_fields(
    server, client, status, code, exception
):
    body = problem(status, code, "Something is wrong.")
    server.respond("GET", "/api/v1/me/", status, body)
    with pytest.raises(exception) as excinfo:
        client.whoami()
    error = excinfo.value
    assert type(error) is exception
    assert (error.status, error.code, error.title, error.detail, error.errors) == (
        status,
        code,
        "Error",
        "Something is wrong.",
        {},
    )
    assert str(error).startswith(f"{code}: Something is wrong. (HTTP {status}")
    assert error.response_body is not None
    assert '"Something is wrong."' in error.response_body


def test_validation_error_carries_field_errors_and_names_them(server, client):
    errors = {
        "name": [
            {"code": "max_length", "message": "Ensure this field has at most 100 characters."}
        ],
        "slug": [{"code": "unique", "message": "Taken."}, {"code": "invalid", "message": "Bad."}],
    }
    server.respond(
        "POST", "/api/v1/teams/", 400, problem(400, "invalid", "Invalid input.", errors=errors)
    )
    with pytest.raises(tunebench.ValidationError) as excinfo:
        client.post("teams/", json={"name": "x" * 101})
    assert excinfo.value.errors == errors
    assert str(excinfo.value) == (
        "invalid: Invalid input. name: Ensure this field has at most 100 characters. "
        "slug: Taken.; Bad. (HTTP 400)"
    )


def test_field_error_already_quoted_in_detail_is_not_repeated(server, client):
    message = "Ensure this field has no more than 100 characters."
    errors = {"name": [{"code": "max_length", "message": message}]}
    server.respond(
        "POST", "/api/v1/teams/", 400, problem(400, "invalid", f"name: {message}", errors=errors)
    )
    with pytest.raises(tunebench.ValidationError) as excinfo:
        client.post("teams/", json={"name": "x" * 101})
    assert str(excinfo.value) == f"invalid: name: {message} (HTTP 400)"


def test_throttled_reads_retry_after_seconds(server, client):
    server.respond(
        "GET",
        "/api/v1/me/",
        429,
        problem(429, "throttled", "Slow down."),
        headers={"Retry-After": "17"},
    )
    with pytest.raises(tunebench.Throttled) as excinfo:
        client.whoami()
    assert excinfo.value.retry_after == 17
    assert str(excinfo.value) == "throttled: Slow down. (HTTP 429; retry after 17 s)"


def test_throttled_without_retry_after_has_none(server, client):
    server.respond("GET", "/api/v1/me/", 429, problem(429, "throttled", "Slow down."))
    with pytest.raises(tunebench.Throttled) as excinfo:
        client.whoami()
    assert excinfo.value.retry_after is None


def test_retry_after_accepts_an_http_date():
    when = datetime.now(UTC) + timedelta(seconds=120)
    assert 115 <= parse_retry_after(format_datetime(when, usegmt=True)) <= 121
    assert parse_retry_after("soon") is None


def test_non_json_502_raises_server_error_naming_the_url(server, client):
    server.respond(
        "GET",
        "/api/v1/me/",
        502,
        raw=b"<html><h1>502 Bad Gateway</h1></html>",
        content_type="text/html",
    )
    with pytest.raises(tunebench.ServerError) as excinfo:
        client.whoami()
    error = excinfo.value
    assert (error.status, error.code, error.errors) == (502, "server_error", {})
    assert error.response_body == "<html><h1>502 Bad Gateway</h1></html>"
    assert str(error) == f"server_error: Bad Gateway from {server.url}/api/v1/me/ (HTTP 502)"


def test_short_plain_text_error_body_is_kept_in_the_message(server, client):
    server.respond("GET", "/api/v1/me/", 503, raw=b"upstream down\n", content_type="text/plain")
    with pytest.raises(tunebench.ServerError, match="upstream down"):
        client.whoami()


def test_html_success_response_raises_invalid_response(server, client):
    server.respond("GET", "/api/v1/me/", 200, raw=b"<html>welcome</html>", content_type="text/html")
    with pytest.raises(tunebench.TunebenchError) as excinfo:
        client.whoami()
    assert excinfo.value.code == "invalid_response"
    assert "text/html" in str(excinfo.value)


def test_response_missing_fields_raises_invalid_response(server, client):
    server.respond("GET", "/api/v1/me/", 200, {"id": 1, "username": "ada"})
    with pytest.raises(tunebench.TunebenchError) as excinfo:
        client.whoami()
    assert excinfo.value.code == "invalid_response"
    assert "'email'" in str(excinfo.value)


def test_connection_refused_raises_connection_failed_naming_url_and_variable(closed_url):
    url = closed_url
    client = tunebench.Client(url, "tb_x0000000_y")
    with client, pytest.raises(tunebench.ConnectionFailed) as excinfo:
        client.whoami()
    message = str(excinfo.value)
    assert message.startswith(f"connection_failed: Cannot reach the Tunebench server at {url} (")
    assert "TUNEBENCH_URL" in message
    assert excinfo.value.status is None


def test_slow_server_raises_connection_failed_after_timeout(server, api_key):
    server.respond("GET", "/api/v1/me/", 200, {}, delay=1)
    client = tunebench.Client(server.url, api_key, timeout=0.1)
    with client, pytest.raises(tunebench.ConnectionFailed, match=r"no answer within 0\.1 s"):
        client.whoami()


def test_delete_returns_none_for_204(server, client):
    server.respond("DELETE", "/api/v1/teams/lab/", 204, raw=b"")
    assert client.delete("teams/lab/") is None
    assert server.requests[-1].method == "DELETE"
