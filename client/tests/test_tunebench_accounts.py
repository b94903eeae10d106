"""whoami and list_teams, as Client methods and as module functions on the default connection."""

import pytest

import tunebench
from tunebench import Team, TeamMembership, User

LAB = Team(3, "lab", "Lab", "", 2, "2026-11-29T06:00:00Z")
ML_GROUP = Team(4, "ml-group", "ML Group", "Machine learning", 12, "2026-11-29T07:00:00Z")
EXTENDED = Team(5, "x", "Extended Research Team", "", 1, "2026-11-29T08:00:00Z")


def test_whoami_parses_user_and_team_memberships(client):
    assert client.whoami() == User(
        id=1,
        username="ada",
        email="ada@example.org",
        date_joined="2026-11-29T06:00:00Z",
        teams=[
            TeamMembership(id=3, slug="lab", name="Lab", role="owner"),
            TeamMembership(id=4, slug="ml-group", name="ML Group", role="member"),
        ],
    )


def test_whoami_ignores_fields_the_client_does_not_know(server, client):
    server.respond(
        "GET",
        "/api/v1/me/",
        200,
        {
            "id": 2,
            "username": "bob",
            "email": "",
            "date_joined": "2026-01-01T00:00:00Z",
            "teams": [],
            "avatar_url": "https://example.org/bob.png",
        },
    )
    assert client.whoami() == User(2, "bob", "", "2026-01-01T00:00:00Z", [])


def test_list_teams_follows_next_through_every_page(server, client):
    assert client.list_teams() == [LAB, ML_GROUP, EXTENDED]
    team_requests = [r for r in server.requests if r.path == "/api/v1/teams/"]
    assert [r.query for r in team_requests] == [{}, {"limit": ["2"], "offset": ["2"]}]


def test_list_teams_with_limit_stops_after_limit_items(server, client):
    assert client.list_teams(limit=1) == [LAB]
    assert [r.query for r in server.requests] == [{"limit": ["1"]}]


def test_list_teams_with_limit_above_page_size_reads_further_pages(client):
    # the fake server caps a page at 2, as a real one caps at its max_limit
    assert client.list_teams(limit=3) == [LAB, ML_GROUP, EXTENDED]


def test_list_teams_with_offset_skips_items(client):
    assert client.list_teams(offset=1) == [ML_GROUP, EXTENDED]


def test_list_teams_limit_zero_sends_no_request(server, client):
    assert client.list_teams(limit=0) == []
    assert server.requests == []


def test_list_teams_rejects_negative_offset(client):
    with pytest.raises(ValueError, match="offset"):
        client.list_teams(offset=-1)


def test_next_link_to_another_host_is_fetched_from_the_configured_server(server, client, api_key):
    # A server behind a proxy may build `next` with its internal name; the key must not go there.
    server.next_base = "http://internal.invalid:8000"
    assert client.list_teams() == [LAB, ML_GROUP, EXTENDED]
    assert server.requests[-1].query == {"limit": ["2"], "offset": ["2"]}
    assert server.requests[-1].headers["Authorization"] == f"Token {api_key}"


def test_empty_page_ends_the_listing_even_with_a_next_link(server, client):
    page = {"count": 9, "next": f"{server.url}/api/v1/teams/?offset=0", "results": []}
    server.respond("GET", "/api/v1/teams/", 200, page)
    assert client.list_teams() == []
    assert len(server.requests) == 1


def test_module_functions_use_the_connection_made_by_connect(server, api_key):
    tunebench.connect(server.url, api_key=api_key)
    assert tunebench.whoami().username == "ada"
    assert [team.slug for team in tunebench.list_teams()] == ["lab", "ml-group", "x"]


def test_module_functions_connect_lazily_from_the_environment(server, api_key, monkeypatch):
    monkeypatch.setenv("TUNEBENCH_URL", server.url)
    monkeypatch.setenv("TUNEBENCH_API_KEY", api_key)
    assert tunebench.whoami().email == "ada@example.org"
    assert tunebench.client.default_client().url == server.url


def test_module_functions_follow_a_later_connect(server, api_key):
    tunebench.connect(server.url, api_key="tb_wrong000_key")
    with pytest.raises(tunebench.AuthenticationError):
        tunebench.whoami()
    tunebench.connect(server.url, api_key=api_key)
    assert tunebench.list_teams(limit=1) == [LAB]
