"""``/api/v1/api-keys/``: create (plaintext once), list, revoke; nobody sees another's keys."""

import pytest

from accounts.models import ApiKey
from accounts.services import create_api_key
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_returns_the_plaintext_once_and_it_authenticates(auth_client, api_client, user):
    response = auth_client.post("/api/v1/api-keys/", {"name": "laptop"})
    assert response.status_code == 201
    body = response.json()
    api_key = ApiKey.objects.get(pk=body["id"])
    assert body == {
        "id": api_key.pk,
        "name": "laptop",
        "prefix": api_key.prefix,
        "created_at": api_key.created_at.isoformat().replace("+00:00", "Z"),
        "last_used_at": None,
        "revoked_at": None,
        "is_active": True,
        "key": body["key"],
    }
    assert body["key"].startswith(f"tb_{api_key.prefix}_")
    # The key works, and is never shown again: not in the list, not in the detail.
    assert (
        api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {body['key']}").status_code == 200
    )
    listed = auth_client.get("/api/v1/api-keys/").json()
    assert body["key"] not in str(listed)
    assert "key" not in auth_client.get(f"/api/v1/api-keys/{api_key.pk}/").json()


def test_list_shows_only_my_keys_newest_first(auth_client, user):
    other = UserFactory()
    create_api_key(user=other, name="theirs")
    create_api_key(user=user, name="second")
    response = auth_client.get("/api/v1/api-keys/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [k["name"] for k in body["results"]] == ["second", "tests"]


def test_someone_elses_key_is_404_for_read_and_revoke(auth_client):
    theirs, _ = create_api_key(user=UserFactory(), name="theirs")
    assert auth_client.get(f"/api/v1/api-keys/{theirs.pk}/").json()["code"] == "api_key_not_found"
    response = auth_client.delete(f"/api/v1/api-keys/{theirs.pk}/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_revoke_keeps_the_key_listed_as_revoked_and_is_idempotent(auth_client, user):
    api_key, _ = create_api_key(user=user, name="old")
    assert auth_client.delete(f"/api/v1/api-keys/{api_key.pk}/").status_code == 204
    api_key.refresh_from_db()
    first = api_key.revoked_at
    assert first is not None
    assert auth_client.delete(f"/api/v1/api-keys/{api_key.pk}/").status_code == 204
    api_key.refresh_from_db()
    assert api_key.revoked_at == first
    detail = auth_client.get(f"/api/v1/api-keys/{api_key.pk}/").json()
    assert detail["is_active"] is False


def test_revoking_the_key_in_use_locks_it_out(auth_client, user):
    key_id = ApiKey.objects.get(user=user, name="tests").pk
    assert auth_client.delete(f"/api/v1/api-keys/{key_id}/").status_code == 204
    response = auth_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "revoked_api_key"


def test_anonymous_cannot_list_or_create_keys(api_client):
    assert api_client.get("/api/v1/api-keys/").status_code == 401
    assert api_client.post("/api/v1/api-keys/", {"name": "x"}).status_code == 401
    assert ApiKey.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({}, "name", "required"),
        ({"name": ""}, "name", "blank"),
        ({"name": "x" * 101}, "name", "max_length"),
        ({"name": "ok", "scopes": ["all"]}, "scopes", "unknown_field"),
    ],
)
def test_bad_input_names_the_field_and_creates_nothing(auth_client, payload, field, code):
    before = ApiKey.objects.count()
    response = auth_client.post("/api/v1/api-keys/", payload)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"][field][0]["code"] == code
    assert ApiKey.objects.count() == before


def test_key_creation_is_throttled_with_retry_after(auth_client, settings, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "api_keys", "2/hour")
    for _ in range(2):
        assert auth_client.post("/api/v1/api-keys/", {"name": "k"}).status_code == 201
    response = auth_client.post("/api/v1/api-keys/", {"name": "k"})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    # Reading is a different scope and still works.
    assert auth_client.get("/api/v1/api-keys/").status_code == 200
