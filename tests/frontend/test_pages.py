"""The website's pages: who sees what, and that every form changes the database as it says.

Users and teams are built the way people make them (``register_user``, ``create_team``);
every test that posts asserts the database afterwards, and "nothing changed" on errors.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import ApiKey, Membership, Team, User
from accounts.services import add_member, create_api_key, create_team, register_user
from frontend.views import server_error
from health.services import record_heartbeat

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def make_user(username: str, **kwargs) -> User:
    return register_user(username=username, password=PASSWORD, **kwargs)


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def ada(db) -> User:
    return make_user("ada", email="ada@example.org")


@pytest.fixture
def team(ada) -> Team:
    return create_team(creator=ada, name="Analytical Engines", description="Notes on G.")


def roles(team: Team) -> dict[str, str]:
    return dict(Membership.objects.filter(team=team).values_list("user__username", "role"))


# --- Rendering and access -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "teams", "login", "signup"])
def test_public_pages_render_for_anonymous_visitors(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="viewport"' in html
    assert reverse("signup") in html
    assert "Sign in" in html
    assert "/static/django_htmx/htmx-2" in html  # the bundled copy, no CDN
    assert "https://" not in html.split("</head>")[0]


@pytest.mark.parametrize("name", ["account", "password_change", "password_change_done"])
def test_private_pages_redirect_anonymous_visitors_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse(name)}"


@pytest.mark.parametrize(
    "name", ["home", "teams", "account", "password_change", "password_change_done"]
)
def test_pages_render_for_signed_in_users_with_their_name_and_sign_out(client, ada, name):
    response = signed_in(client, ada).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a class="session-user" href="{reverse("account")}"' in html
    assert re.search(rf'<form method="post" action="{reverse("logout")}"', html)
    assert "Sign up" not in html


def test_navigation_links_only_to_pages_that_exist(client):
    html = client.get(reverse("home")).content.decode()
    for href in [
        "/",
        "/datasets/",
        "/tasks/",
        "/flows/",
        "/runs/",
        "/teams/",
        "/api/docs/",
        "/api/schema/",
        "/api/v1/health/",
    ]:
        assert f'href="{href}"' in html


def test_home_shows_live_counts_worker_status_and_python_snippet(client, ada, team):
    make_user("grace")
    record_heartbeat(queue="default", hostname="worker-1")

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert '<dd data-testid="user-count">2</dd>' in html
    assert '<dd data-testid="team-count">1</dd>' in html
    rows = {q.queue: q.is_online for q in response.context["queues"]}
    assert rows == {"default": True, "score": False, "execute": False}
    assert html.count("badge-ok") == 1
    assert html.count("badge-off") == 2
    assert "now" in html  # naturaltime of the fresh heartbeat
    assert "pip install ./client" in html
    assert 'tunebench.connect("http://testserver", api_key=' in html
    assert "tunebench.whoami()" in html


def test_unknown_address_renders_the_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_500_page_needs_no_request_context_and_no_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


# --- Sign-up, sign-in, sign-out, password ---------------------------------------------------


def test_signup_creates_the_user_signs_them_in_and_welcomes_them(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "Grace",
            "email": "grace@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("account"), 302)]
    user = User.objects.get(username="Grace")
    assert user.email == "grace@example.org"
    assert user.check_password(PASSWORD)
    assert response.context["user"] == user
    assert messages_of(response) == ["Welcome to Tunebench, Grace!"]


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        (
            {"username": "ADA", "password1": PASSWORD, "password2": PASSWORD},
            "username",
            "That username is taken.",
        ),
        (
            {"username": "grace", "password1": "12345678", "password2": "12345678"},
            "password1",
            "This password is too common.",
        ),
        (
            {"username": "grace", "password1": "short", "password2": "short"},
            "password1",
            "This password is too short.",
        ),
        (
            {"username": "grace", "password1": PASSWORD, "password2": PASSWORD + "x"},
            "password2",
            "The two passwords do not match.",
        ),
        (
            {"username": "gr ace", "password1": PASSWORD, "password2": PASSWORD},
            "username",
            "Enter a valid username.",
        ),
    ],
    ids=[
        "taken-username-other-case",
        "common-password",
        "short-password",
        "mismatch",
        "bad-characters",
    ],
)
def test_bad_signup_shows_the_error_on_the_field_and_creates_nothing(
    client, ada, data, field, error
):
    response = client.post(reverse("signup"), {"email": "", **data})
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message.startswith(error) for message in errors), errors
    assert error.split(":")[0] in response.content.decode().replace("&#x27;", "'")
    assert list(User.objects.values_list("username", flat=True)) == ["ada"]
    assert "_auth_user_id" not in client.session


def test_signup_page_sends_signed_in_users_to_their_account(client, ada):
    response = signed_in(client, ada).get(reverse("signup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account")


def test_sign_in_goes_to_the_account_page(client, ada):
    response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account")
    assert client.session["_auth_user_id"] == str(ada.pk)


def test_sign_in_with_a_wrong_password_shows_an_error(client, ada):
    response = client.post(reverse("login"), {"username": "ada", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_out_is_post_only(client, ada):
    signed_in(client, ada)
    assert client.get(reverse("logout")).status_code == 405
    assert client.session["_auth_user_id"] == str(ada.pk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" not in client.session


def test_password_change_sets_the_new_password_and_keeps_the_user_signed_in(client, ada):
    signed_in(client, ada)
    new = "another-horse-battery"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    ada.refresh_from_db()
    assert ada.check_password(new)
    assert client.get(reverse("account")).status_code == 200


# --- Account page and API keys ------------------------------------------------------------


def test_account_page_shows_profile_teams_with_role_and_keys(client, ada, team):
    other = create_team(creator=make_user("grace"), name="Compilers")
    add_member(team=other, actor=User.objects.get(username="grace"), username="ada")
    api_key, _ = create_api_key(user=ada, name="laptop")

    html = signed_in(client, ada).get(reverse("account")).content.decode()

    assert "ada@example.org" in html
    assert re.search(r"Analytical Engines</a>\s*<span class=\"badge badge-owner\">Owner", html)
    assert re.search(r"Compilers</a>\s*<span class=\"badge\">Member", html)
    assert f"<code>tb_{api_key.prefix}_…</code>" in html
    assert "laptop" in html
    assert "never" in html
    assert "active" in html
    assert reverse("api_key_revoke", args=[api_key.pk]) in html


def test_api_key_is_shown_once_and_authenticates_until_revoked(client, ada):
    signed_in(client, ada)

    response = client.post(reverse("api_key_create"), {"name": "laptop"})

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    match = re.search(r'<code id="new-api-key">([^<]+)</code>', html)
    assert match, html
    raw = match.group(1)
    api_key = ApiKey.objects.get(user=ada)
    assert api_key.name == "laptop"
    assert raw.startswith(f"tb_{api_key.prefix}_")
    assert "it will not be shown again" in html
    # Never kept anywhere: not in the session, not on the next view of the page.
    assert raw not in str(dict(client.session))
    again = client.get(reverse("account")).content.decode()
    assert raw not in again
    assert 'id="new-api-key"' not in again

    api = Client()
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert me.status_code == 200
    assert me.json()["username"] == "ada"

    response = client.post(reverse("api_key_revoke", args=[api_key.pk]))
    assert response.status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401
    assert "revoked" in client.get(reverse("account")).content.decode()


def test_api_key_created_with_htmx_swaps_only_the_keys_section(client, ada):
    response = signed_in(client, ada).post(
        reverse("api_key_create"), {"name": "ci"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="api-keys"')
    assert "<html" not in html
    assert re.search(r'<code id="new-api-key">tb_[0-9a-f]{10}_[^<]+</code>', html)
    assert ApiKey.objects.filter(user=ada, name="ci").count() == 1


def test_api_key_revoked_with_htmx_returns_the_updated_row(client, ada):
    api_key, _ = create_api_key(user=ada, name="old")
    response = signed_in(client, ada).post(
        reverse("api_key_revoke", args=[api_key.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.startswith(f'<tr id="api-key-{api_key.pk}">')
    assert "revoked" in html
    assert "Revoke</button>" not in html
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None


def test_api_key_without_a_name_is_not_created(client, ada):
    response = signed_in(client, ada).post(reverse("api_key_create"), {"name": "  "})
    assert response.status_code == 200
    assert response.context["key_form"].errors == {"name": ["This field is required."]}
    assert 'id="new-api-key"' not in response.content.decode()
    assert not ApiKey.objects.exists()


def test_someone_elses_api_key_cannot_be_revoked(client, ada):
    theirs, _ = create_api_key(user=make_user("grace"), name="theirs")
    response = signed_in(client, ada).post(reverse("api_key_revoke", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_api_key_pages_need_sign_in_and_post(client, ada):
    assert client.post(reverse("api_key_create"), {"name": "x"}).status_code == 302
    assert signed_in(client, ada).get(reverse("api_key_create")).status_code == 405
    assert not ApiKey.objects.exists()


# --- Teams --------------------------------------------------------------------------------


def test_teams_page_lists_teams_with_member_counts(
    client, ada, team, django_assert_max_num_queries
):
    add_member(team=team, actor=ada, username=make_user("grace").username)
    create_team(creator=ada, name="Babbage Fans")
    with django_assert_max_num_queries(3):
        response = client.get(reverse("teams"))
    html = response.content.decode()
    assert [t.name for t in response.context["teams"]] == ["Analytical Engines", "Babbage Fans"]
    assert f'<a href="{reverse("team_detail", args=[team.slug])}">Analytical Engines</a>' in html
    assert re.search(r'<td class="num">2</td>', html)
    assert "Sign in</a> or" in html  # anonymous visitors get no create form
    assert 'action="/teams/"' not in html


def test_creating_a_team_makes_the_creator_its_owner(client, ada):
    response = signed_in(client, ada).post(
        reverse("teams"), {"name": "Difference Engine", "description": "Cogs."}
    )
    team = Team.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("team_detail", args=["difference-engine"])
    assert (team.name, team.slug, team.description) == (
        "Difference Engine",
        "difference-engine",
        "Cogs.",
    )
    assert roles(team) == {"ada": "owner"}


def test_creating_a_team_with_a_taken_name_shows_the_error_and_creates_nothing(client, ada, team):
    response = signed_in(client, ada).post(reverse("teams"), {"name": "analytical engines"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": [
            "A team with that name, or with the same address /teams/analytical-engines/, exists."
        ]
    }
    assert Team.objects.count() == 1


def test_creating_a_team_with_an_unsluggable_name_shows_the_error(client, ada):
    response = signed_in(client, ada).post(reverse("teams"), {"name": "!!!"})
    assert response.context["form"].errors == {
        "name": ["A team name needs at least one letter or digit (in any script)."]
    }
    assert not Team.objects.exists()


def test_anonymous_visitors_cannot_create_teams(client):
    response = client.post(reverse("teams"), {"name": "Sneaky"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Team.objects.exists()


def test_team_page_shows_members_to_everyone(client, ada, team, django_assert_max_num_queries):
    add_member(team=team, actor=ada, username=make_user("grace").username)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("team_detail", args=[team.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Analytical Engines" in html
    assert "Notes on G." in html
    assert [r["membership"].user.username for r in response.context["rows"]] == ["ada", "grace"]
    assert "Add a member" not in html
    assert "Leave this team" not in html


def test_team_page_shows_owner_controls_to_owners_only(client, ada, team):
    grace = make_user("grace")
    add_member(team=team, actor=ada, username="grace")
    owner_html = signed_in(client, ada).get(reverse("team_detail", args=[team.slug])).content
    assert b"Add a member" in owner_html
    assert b"Delete this team" in owner_html
    member_html = signed_in(Client(), grace).get(reverse("team_detail", args=[team.slug])).content
    assert b"Add a member" not in member_html
    assert b"Delete this team" not in member_html
    assert b"Leave this team" in member_html


def test_unknown_team_is_a_404_page(client):
    response = client.get(reverse("team_detail", args=["nope"]))
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_owner_adds_a_member_with_a_role(client, ada, team):
    make_user("grace")
    response = signed_in(client, ada).post(
        reverse("member_add", args=[team.slug]), {"username": "GRACE", "role": "owner"}, follow=True
    )
    assert response.redirect_chain == [(reverse("team_detail", args=[team.slug]), 302)]
    assert messages_of(response) == ["grace joined the team as Owner."]
    assert roles(team) == {"ada": "owner", "grace": "owner"}


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("nobody", "There is no user with that username."),
        ("ada", "That user is already a member of the team."),
    ],
)
def test_adding_an_unknown_or_existing_member_shows_the_error_on_the_form(
    client, ada, team, username, error
):
    response = signed_in(client, ada).post(
        reverse("member_add", args=[team.slug]), {"username": username, "role": "member"}
    )
    assert response.status_code == 200
    assert response.context["add_form"].errors == {"username": [error]}
    assert roles(team) == {"ada": "owner"}


def test_non_owner_cannot_add_members(client, ada, team):
    grace = make_user("grace")
    make_user("alan")
    add_member(team=team, actor=ada, username="grace")
    response = signed_in(client, grace).post(
        reverse("member_add", args=[team.slug]), {"username": "alan", "role": "owner"}, follow=True
    )
    assert messages_of(response) == ["Only an owner of the team can do this."]
    assert roles(team) == {"ada": "owner", "grace": "member"}


def test_owner_promotes_and_demotes_a_member(client, ada, team):
    membership = add_member(team=team, actor=ada, username=make_user("grace").username)
    signed_in(client, ada)
    url = reverse("member_role", args=[team.slug, membership.pk])
    response = client.post(url, {"role": "owner"}, follow=True)
    assert messages_of(response) == ["grace is now owner."]
    assert roles(team) == {"ada": "owner", "grace": "owner"}
    client.post(url, {"role": "member"})
    assert roles(team) == {"ada": "owner", "grace": "member"}


def test_the_last_owner_cannot_be_demoted(client, ada, team):
    membership = Membership.objects.get(team=team, user=ada)
    response = signed_in(client, ada).post(
        reverse("member_role", args=[team.slug, membership.pk]), {"role": "member"}
    )
    assert response.status_code == 200
    assert b"A team needs at least one owner" in response.content
    assert roles(team) == {"ada": "owner"}


def test_non_owner_cannot_change_roles(client, ada, team):
    grace = make_user("grace")
    membership = add_member(team=team, actor=ada, username="grace")
    response = signed_in(client, grace).post(
        reverse("member_role", args=[team.slug, membership.pk]), {"role": "owner"}, follow=True
    )
    assert messages_of(response) == ["Only an owner of the team can do this."]
    assert roles(team) == {"ada": "owner", "grace": "member"}


def test_owner_removes_a_member(client, ada, team):
    membership = add_member(team=team, actor=ada, username=make_user("grace").username)
    response = signed_in(client, ada).post(
        reverse("member_remove", args=[team.slug, membership.pk]), follow=True
    )
    assert messages_of(response) == ["grace was removed from the team."]
    assert roles(team) == {"ada": "owner"}


def test_non_owner_cannot_remove_others(client, ada, team):
    grace = make_user("grace")
    add_member(team=team, actor=ada, username="grace")
    owner = Membership.objects.get(team=team, user=ada)
    response = signed_in(client, grace).post(
        reverse("member_remove", args=[team.slug, owner.pk]), follow=True
    )
    assert messages_of(response) == ["Only an owner of the team can do this."]
    assert roles(team) == {"ada": "owner", "grace": "member"}


def test_a_membership_of_another_team_is_not_found_through_this_team(client, ada, team):
    other = create_team(creator=make_user("grace"), name="Compilers")
    theirs = Membership.objects.get(team=other)
    response = signed_in(client, ada).post(reverse("member_remove", args=[team.slug, theirs.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_member_leaves_the_team(client, ada, team):
    grace = make_user("grace")
    add_member(team=team, actor=ada, username="grace")
    response = signed_in(client, grace).post(reverse("team_leave", args=[team.slug]), follow=True)
    assert messages_of(response) == ["You left “Analytical Engines”."]
    assert roles(team) == {"ada": "owner"}


def test_the_last_owner_cannot_leave(client, ada, team):
    add_member(team=team, actor=ada, username=make_user("grace").username)
    response = signed_in(client, ada).post(reverse("team_leave", args=[team.slug]), follow=True)
    assert response.redirect_chain == [(reverse("team_detail", args=[team.slug]), 302)]
    assert messages_of(response) == [
        "A team needs at least one owner: make another member an owner first."
    ]
    assert b"A team needs at least one owner" in response.content
    assert roles(team) == {"ada": "owner", "grace": "member"}


def test_owner_renames_the_team_and_the_address_follows(client, ada, team):
    response = signed_in(client, ada).post(
        reverse("team_update", args=[team.slug]), {"name": "Engines", "description": "New."}
    )
    team.refresh_from_db()
    assert (team.name, team.slug, team.description) == ("Engines", "engines", "New.")
    assert response["Location"] == reverse("team_detail", args=["engines"])


def test_renaming_to_a_taken_name_shows_the_error_and_changes_nothing(client, ada, team):
    create_team(creator=ada, name="Compilers")
    response = signed_in(client, ada).post(
        reverse("team_update", args=[team.slug]), {"name": "Compilers", "description": "x"}
    )
    assert response.status_code == 200
    assert response.context["edit_form"].errors == {
        "name": ["A team with that name, or with the same address /teams/compilers/, exists."]
    }
    assert response.context["team"].name == "Analytical Engines"
    team.refresh_from_db()
    assert (team.name, team.description) == ("Analytical Engines", "Notes on G.")


def test_non_owner_cannot_edit_the_team(client, ada, team):
    grace = make_user("grace")
    add_member(team=team, actor=ada, username="grace")
    response = signed_in(client, grace).post(
        reverse("team_update", args=[team.slug]), {"name": "Mine"}, follow=True
    )
    assert messages_of(response) == ["Only an owner of the team can do this."]
    team.refresh_from_db()
    assert team.name == "Analytical Engines"


def test_deleting_a_team_asks_first_then_deletes(client, ada, team):
    signed_in(client, ada)
    url = reverse("team_delete", args=[team.slug])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert b"Yes, delete the team" in confirm.content
    assert Team.objects.filter(pk=team.pk).exists()

    response = client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("teams"), 302)]
    assert messages_of(response) == ["Team “Analytical Engines” deleted."]
    assert not Team.objects.exists()
    assert not Membership.objects.exists()


def test_non_owner_cannot_delete_the_team(client, ada, team):
    grace = make_user("grace")
    add_member(team=team, actor=ada, username="grace")
    signed_in(client, grace)
    url = reverse("team_delete", args=[team.slug])
    confirm = client.get(url, follow=True)
    assert confirm.redirect_chain == [(reverse("team_detail", args=[team.slug]), 302)]
    assert messages_of(confirm) == ["Only an owner of the team can delete it."]
    response = client.post(url, follow=True)
    assert messages_of(response) == ["Only an owner of the team can do this."]
    assert Team.objects.filter(pk=team.pk).exists()


def test_team_actions_need_sign_in(client, team):
    for name in ["team_update", "member_add", "team_leave", "team_delete"]:
        response = client.post(reverse(name, args=[team.slug]), {"name": "x", "username": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    team.refresh_from_db()
    assert team.name == "Analytical Engines"
    assert roles(team) == {"ada": "owner"}


# --- CSRF ---------------------------------------------------------------------------------


def test_post_without_csrf_token_is_rejected(ada):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    response = client.post(reverse("teams"), {"name": "Forged"})
    assert response.status_code == 403
    assert not Team.objects.exists()


def test_post_with_the_csrf_header_htmx_sends_is_accepted(ada):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    page = client.get(reverse("account")).content.decode()
    # What htmx sends with every request: the token from <body hx-headers=...>.
    token = re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"(\w+)\"\}'>", page).group(1)
    response = client.post(
        reverse("api_key_create"), {"name": "htmx"}, HTTP_X_CSRFTOKEN=token, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert ApiKey.objects.filter(user=ada, name="htmx").exists()


def test_a_team_named_in_another_script_gets_a_working_page(client, ada):
    response = signed_in(client, ada).post(reverse("teams"), {"name": "Команда Сова"})
    team = Team.objects.get()
    assert team.slug == "команда-сова"
    assert response.status_code == 302
    assert response["Location"] == reverse("team_detail", kwargs={"slug": team.slug})
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Команда Сова" in page.content.decode()


def test_sign_in_attempts_are_limited_per_client(client, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "login", "3/min")
    for _ in range(3):
        response = client.post(reverse("login"), {"username": "ada", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "ada", "password": "wrong"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.content.decode()
    assert client.get(reverse("login")).status_code == 200  # reading the form stays free


def test_api_keys_made_on_the_page_and_through_the_api_share_one_budget(client, ada, monkeypatch):
    from rest_framework.test import APIClient
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "api_keys", "2/hour")
    signed_in(client, ada).post(reverse("api_key_create"), {"name": "page"})
    api = APIClient()
    api.force_login(ada)
    assert api.post("/api/v1/api-keys/", {"name": "api"}, format="json").status_code == 201
    assert client.post(reverse("api_key_create"), {"name": "third"}).status_code == 429
    assert api.post("/api/v1/api-keys/", {"name": "fourth"}, format="json").status_code == 429
    assert sorted(ada.api_keys.values_list("name", flat=True)) == ["api", "page"]
