"""``/api/v1/teams/`` and ``/api/v1/memberships/``: the permission matrix and the team rules.

Actors: the team's owner, a member, another signed-in user, and anonymous.
"""

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership, Team
from accounts.services import create_api_key
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _, raw = create_api_key(user=user, name="t")
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.fixture
def world():
    owner, member, other = UserFactory(), UserFactory(), UserFactory()
    team = make_team(owner=owner, name="Owls", members=(member,))
    return {"owner": owner, "member": member, "other": other, "anonymous": None, "team": team}


# --- reads are public --------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["owner", "member", "other", "anonymous"])
def test_everyone_can_list_and_read_teams(world, actor, django_assert_max_num_queries):
    client = client_for(world[actor])
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/teams/")
    assert response.status_code == 200
    team = world["team"]
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": team.pk,
                "slug": "owls",
                "name": "Owls",
                "description": "",
                "member_count": 2,
                "created_at": team.created_at.isoformat().replace("+00:00", "Z"),
            }
        ],
    }
    assert client.get(f"/api/v1/teams/{team.pk}/").json()["member_count"] == 2


def test_unknown_team_is_404_problem(api_client):
    response = api_client.get("/api/v1/teams/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "team_not_found"
    assert api_client.get("/api/v1/teams/abc/").status_code == 404


def test_teams_filter_by_member_and_name(world):
    make_team(owner=world["other"], name="Hawks")
    client = APIClient()
    by_member = client.get("/api/v1/teams/", {"member": world["member"].username.upper()}).json()
    assert [t["slug"] for t in by_member["results"]] == ["owls"]
    by_name = client.get("/api/v1/teams/", {"name": "haw"}).json()
    assert [t["slug"] for t in by_name["results"]] == ["hawks"]


def test_team_list_pages_are_stable(db):
    owner = UserFactory()
    for name in ["C", "A", "B", "D"]:
        make_team(owner=owner, name=name)
    client = APIClient()
    first = client.get("/api/v1/teams/", {"limit": 2}).json()
    second = client.get("/api/v1/teams/", {"limit": 2, "offset": 2}).json()
    assert first["count"] == 4
    assert [t["name"] for t in first["results"]] == ["A", "B"]
    assert [t["name"] for t in second["results"]] == ["C", "D"]
    assert first["next"] == "http://testserver/api/v1/teams/?limit=2&offset=2"
    assert second["next"] is None


# --- creating ----------------------------------------------------------------------------


def test_creating_a_team_makes_the_creator_its_owner(world):
    response = client_for(world["other"]).post(
        "/api/v1/teams/", {"name": "  Night Owls ", "description": "We hoot."}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["slug"], body["name"], body["member_count"]) == ("night-owls", "Night Owls", 1)
    membership = Membership.objects.get(team_id=body["id"])
    assert (membership.user, membership.role) == (world["other"], "owner")


def test_anonymous_cannot_create_a_team(world):
    response = APIClient().post("/api/v1/teams/", {"name": "Ghosts"})
    assert response.status_code == 401
    assert not Team.objects.filter(name="Ghosts").exists()


@pytest.mark.parametrize(
    ("payload", "status", "field", "code"),
    [
        ({"name": "owls"}, 409, "name", "team_name_taken"),
        ({"name": "OWLS!"}, 409, "name", "team_name_taken"),
        ({"name": "!!!"}, 400, "name", "invalid_team_name"),
        ({"name": "x" * 101}, 400, "name", "max_length"),
        ({"name": "ok", "slug": "mine"}, 400, "slug", "unknown_field"),
        ({"description": "no name"}, 400, "name", "required"),
    ],
)
def test_bad_team_input_names_the_field_and_creates_nothing(world, payload, status, field, code):
    before = Team.objects.count()
    response = client_for(world["other"]).post("/api/v1/teams/", payload)
    assert response.status_code == status
    assert response.json()["errors"][field][0]["code"] == code
    assert Team.objects.count() == before
    assert Membership.objects.filter(user=world["other"]).count() == 0


def test_malformed_json_is_400_parse_error(world):
    client = client_for(world["other"])
    response = client.generic(
        "POST", "/api/v1/teams/", '{"name": "x",', content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "parse_error"


def test_a_json_list_body_is_400_not_500(world):
    response = client_for(world["other"]).post("/api/v1/teams/", [1, 2], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]


# --- changing and deleting -----------------------------------------------------------------

EXPECTED_WRITE = {"owner": 200, "member": 403, "other": 403, "anonymous": 401}


@pytest.mark.parametrize("actor", EXPECTED_WRITE)
def test_only_owners_rename_a_team(world, actor):
    team = world["team"]
    response = client_for(world[actor]).patch(f"/api/v1/teams/{team.pk}/", {"name": "Barn Owls"})
    assert response.status_code == EXPECTED_WRITE[actor]
    team.refresh_from_db()
    if actor == "owner":
        assert (team.name, team.slug) == ("Barn Owls", "barn-owls")
    else:
        assert team.name == "Owls"
        assert response.json()["code"] in {"not_team_owner", "not_authenticated"}


@pytest.mark.parametrize("actor", EXPECTED_WRITE)
def test_only_owners_delete_a_team(world, actor):
    team = world["team"]
    response = client_for(world[actor]).delete(f"/api/v1/teams/{team.pk}/")
    expected = 204 if actor == "owner" else EXPECTED_WRITE[actor]
    assert response.status_code == expected
    assert Team.objects.filter(pk=team.pk).exists() == (actor != "owner")


def test_put_is_not_allowed(world):
    response = client_for(world["owner"]).put(f"/api/v1/teams/{world['team'].pk}/", {"name": "x"})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# --- memberships -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "expected"), [("owner", 201), ("member", 403), ("other", 403), ("anonymous", 401)]
)
def test_only_owners_add_members(world, actor, expected):
    newcomer = UserFactory()
    response = client_for(world[actor]).post(
        "/api/v1/memberships/", {"team_id": world["team"].pk, "username": newcomer.username}
    )
    assert response.status_code == expected
    assert Membership.objects.filter(user=newcomer).exists() == (expected == 201)
    if expected == 201:
        body = response.json()
        assert body["user"] == {"id": newcomer.pk, "username": newcomer.username}
        assert body["team"] == {"id": world["team"].pk, "slug": "owls", "name": "Owls"}
        assert body["role"] == "member"


@pytest.mark.parametrize(
    ("payload", "status", "field", "code"),
    [
        ({"username": "nobody"}, 400, "username", "unknown_user"),
        ({"username": "MEMBER"}, 409, "username", "already_member"),
        ({"username": "x", "role": "admin"}, 400, "role", "invalid_choice"),
        ({"team_id": 999999, "username": "x"}, 400, "team_id", "team_not_found"),
        ({"username": "x", "extra": 1}, 400, "extra", "unknown_field"),
    ],
)
def test_bad_membership_input_names_the_field(world, payload, status, field, code):
    if payload.get("username") == "MEMBER":
        payload["username"] = world["member"].username.upper()
    payload.setdefault("team_id", world["team"].pk)
    before = Membership.objects.count()
    response = client_for(world["owner"]).post("/api/v1/memberships/", payload)
    assert response.status_code == status
    assert response.json()["errors"][field][0]["code"] == code
    assert Membership.objects.count() == before


def test_members_can_leave_but_not_remove_others(world):
    team, member = world["team"], world["member"]
    owner_membership = Membership.objects.get(team=team, user=world["owner"])
    member_membership = Membership.objects.get(team=team, user=member)
    client = client_for(member)
    assert client.delete(f"/api/v1/memberships/{owner_membership.pk}/").status_code == 403
    assert client.delete(f"/api/v1/memberships/{member_membership.pk}/").status_code == 204
    assert not Membership.objects.filter(pk=member_membership.pk).exists()


def test_owner_removes_a_member(world):
    membership = Membership.objects.get(team=world["team"], user=world["member"])
    response = client_for(world["owner"]).delete(f"/api/v1/memberships/{membership.pk}/")
    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_owner_can_neither_leave_nor_step_down(world):
    owner_membership = Membership.objects.get(team=world["team"], user=world["owner"])
    client = client_for(world["owner"])
    response = client.delete(f"/api/v1/memberships/{owner_membership.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "last_owner"
    response = client.patch(f"/api/v1/memberships/{owner_membership.pk}/", {"role": "member"})
    assert response.status_code == 409
    owner_membership.refresh_from_db()
    assert owner_membership.role == "owner"


def test_promoting_a_member_lets_the_first_owner_leave(world):
    team = world["team"]
    member_membership = Membership.objects.get(team=team, user=world["member"])
    owner_membership = Membership.objects.get(team=team, user=world["owner"])
    client = client_for(world["owner"])
    response = client.patch(f"/api/v1/memberships/{member_membership.pk}/", {"role": "owner"})
    assert response.status_code == 200
    assert response.json()["role"] == "owner"
    assert client.delete(f"/api/v1/memberships/{owner_membership.pk}/").status_code == 204
    assert list(team.memberships.values_list("role", flat=True)) == ["owner"]


@pytest.mark.parametrize(
    ("actor", "expected"), [("member", 403), ("other", 403), ("anonymous", 401)]
)
def test_only_owners_change_roles(world, actor, expected):
    membership = Membership.objects.get(team=world["team"], user=world["member"])
    response = client_for(world[actor]).patch(
        f"/api/v1/memberships/{membership.pk}/", {"role": "owner"}
    )
    assert response.status_code == expected
    membership.refresh_from_db()
    assert membership.role == "member"


def test_memberships_filter_by_team_and_user(world):
    other_team = make_team(owner=world["other"], name="Hawks")
    client = APIClient()
    by_team = client.get("/api/v1/memberships/", {"team": world["team"].pk}).json()
    assert [(m["user"]["username"], m["role"]) for m in by_team["results"]] == [
        (world["owner"].username, "owner"),
        (world["member"].username, "member"),
    ]
    by_user = client.get("/api/v1/memberships/", {"user": world["other"].username}).json()
    assert [m["team"]["id"] for m in by_user["results"]] == [other_team.pk]


@pytest.mark.parametrize("value", ["99999999999999999999999", "1e30", "1.5", "-1", "abc"])
def test_an_out_of_range_or_fractional_team_filter_is_a_400(world, value):
    response = APIClient().get("/api/v1/memberships/", {"team": value})
    assert response.status_code == 400
    assert "team" in response.json()["errors"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [("日本チーム", "日本チーム"), ("Команда", "команда"), ("Équipe Étoile", "équipe-étoile")],
)
def test_teams_can_be_named_in_any_script(world, name, slug):
    response = client_for(world["other"]).post("/api/v1/teams/", {"name": name})
    assert response.status_code == 201
    assert (response.json()["name"], response.json()["slug"]) == (name, slug)


def test_names_sharing_an_address_conflict_with_a_message_naming_it(world):
    client = client_for(world["other"])
    assert client.post("/api/v1/teams/", {"name": "C++ Lab"}).status_code == 201
    response = client.post("/api/v1/teams/", {"name": "C Lab"})
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "A team with that name, or with the same address /teams/c-lab/, exists."
    )


def test_form_encoded_bodies_are_refused(world):
    response = client_for(world["other"]).post(
        "/api/v1/teams/", "name=a&name=b", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert not Team.objects.filter(name__in=["a", "b"]).exists()


def test_team_creation_is_throttled_per_user(world, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "teams", "1/hour")
    client = client_for(world["other"])
    assert client.post("/api/v1/teams/", {"name": "First"}).status_code == 201
    response = client.post("/api/v1/teams/", {"name": "Second"})
    assert response.status_code == 429
    assert not Team.objects.filter(name="Second").exists()
    # Another user has a budget of their own.
    assert client_for(world["member"]).post("/api/v1/teams/", {"name": "Third"}).status_code == 201
