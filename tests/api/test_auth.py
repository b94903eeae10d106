"""API keys as credentials: every bad key is a 401 problem, never anonymous, never a 500."""

import pytest
from django.utils import timezone

from accounts.models import ApiKey
from accounts.services import create_api_key, revoke_api_key

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _get_me(api_client, header):
    return api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header)


def test_me_with_a_valid_key_returns_the_user_and_teams(auth_client, user):
    from tests.factories import make_team

    team = make_team(owner=user, name="Owls")
    response = auth_client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "date_joined": user.date_joined.isoformat().replace("+00:00", "Z"),
        "teams": [{"id": team.pk, "slug": "owls", "name": "Owls", "role": "owner"}],
    }


def test_me_without_credentials_is_401_problem(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == 'Token realm="api"'
    body = response.json()
    assert body == {
        "type": "urn:tunebench:problem:not_authenticated",
        "title": "Authentication required.",
        "status": 401,
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
        "instance": "/api/v1/me/",
    }


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Token", "malformed_credentials"),
        ("Token a b", "malformed_credentials"),
        ("Bearer tb_abc_def", "malformed_credentials"),
        ("Token not-a-key", "invalid_api_key"),
        ("Token tb__secret", "invalid_api_key"),
        ("Token tb_0000000000_wrongsecret", "invalid_api_key"),
    ],
)
def test_malformed_or_unknown_keys_are_401_even_on_public_reads(api_client, header, code):
    response = api_client.get("/api/v1/teams/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == code


def test_a_right_prefix_with_a_wrong_secret_is_invalid_not_revoked(api_client, user):
    api_key, raw = create_api_key(user=user, name="k")
    revoke_api_key(api_key=api_key)
    forged = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    response = _get_me(api_client, f"Token {forged}")
    assert response.json()["code"] == "invalid_api_key"


def test_revoked_key_is_401_revoked(api_client, user):
    api_key, raw = create_api_key(user=user, name="k")
    revoke_api_key(api_key=api_key)
    response = _get_me(api_client, f"Token {raw}")
    assert response.status_code == 401
    assert response.json()["code"] == "revoked_api_key"


def test_key_of_a_deactivated_user_is_401(api_client, user):
    _, raw = create_api_key(user=user, name="k")
    user.is_active = False
    user.save()
    response = _get_me(api_client, f"Token {raw}")
    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"


def test_non_ascii_key_is_malformed(api_client):
    response = api_client.get(
        "/api/v1/me/", HTTP_AUTHORIZATION="Token tb_é_x".encode().decode("latin-1")
    )
    assert response.status_code == 401
    assert response.json()["code"] == "malformed_credentials"


def test_using_a_key_records_last_used_at_once_a_minute(api_client, user):
    api_key, raw = create_api_key(user=user, name="k")
    assert api_key.last_used_at is None
    _get_me(api_client, f"Token {raw}")
    first = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert first is not None
    _get_me(api_client, f"Token {raw}")
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == first
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=first - timezone.timedelta(minutes=2))
    _get_me(api_client, f"Token {raw}")
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at > first


def test_only_prefix_and_hash_are_stored(user):
    api_key, raw = create_api_key(user=user, name="k")
    stored = ApiKey.objects.filter(pk=api_key.pk).values().get()
    assert raw.startswith(f"tb_{api_key.prefix}_")
    assert raw not in {str(v) for v in stored.values()}
    assert len(stored["key_hash"]) == 64


def test_session_login_works_for_the_api(api_client, user):
    api_client.force_login(user)
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == user.username
