"""The problem+json handler: even our own bugs answer in the API's format, without internals."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_unexpected_error_is_a_500_problem_without_a_traceback(api_client, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("secret internals: DATABASE_PASSWORD=hunter2")

    monkeypatch.setattr("api.views.teams.list_teams", broken)
    response = api_client.get("/api/v1/teams/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:tunebench:problem:server_error",
        "title": "Internal server error.",
        "status": 500,
        "detail": "Something went wrong on our side; it has been logged.",
        "code": "server_error",
        "instance": "/api/v1/teams/",
    }
    assert "hunter2" not in response.content.decode()
    assert any("unhandled error" in r.message for r in caplog.records)


def test_unknown_api_path_is_a_404_problem_and_a_website_path_a_page(api_client, client):
    response = api_client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_a_crash_outside_drf_on_an_api_path_is_a_500_problem(rf):
    from config.urls import handler500

    response = handler500(rf.get("/api/v1/anything/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"


def test_unsupported_media_type_is_a_problem(auth_client):
    response = auth_client.generic("POST", "/api/v1/teams/", "name=x", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
