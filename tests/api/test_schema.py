"""The OpenAPI schema builds without warnings and the docs are served from local assets."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_builds_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(out), "--fail-on-warn", "--validate")
    text = out.read_text()
    for path in ["/api/v1/me/", "/api/v1/teams/", "/api/v1/memberships/", "/api/v1/api-keys/"]:
        assert f"  {path}:" in text


def test_swagger_ui_uses_local_assets_only(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()


def test_schema_is_public(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Tunebench API"
