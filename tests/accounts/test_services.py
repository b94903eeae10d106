"""The account and team rules, tested at the service layer."""

import pytest
from django.core.management import CommandError, call_command

from accounts import services
from accounts.exceptions import InvalidPassword, UsernameTaken
from accounts.models import ApiKey, Membership, Team, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_register_user_hashes_the_password():
    user = services.register_user(
        username="ada", email="ada@example.org", password="analytical-3ngine"
    )
    assert user.check_password("analytical-3ngine")
    assert "analytical-3ngine" not in user.password


def test_usernames_are_unique_regardless_of_case():
    services.register_user(username="ada", password="analytical-3ngine")
    with pytest.raises(UsernameTaken) as caught:
        services.register_user(username="ADA", password="analytical-3ngine")
    assert caught.value.field == "username"
    assert User.objects.count() == 1


def test_weak_passwords_are_refused_and_nothing_is_created():
    with pytest.raises(InvalidPassword) as caught:
        services.register_user(username="bob", password="123")
    assert caught.value.field == "password"
    assert not User.objects.filter(username="bob").exists()


def test_create_team_is_all_or_nothing(monkeypatch):
    owner = UserFactory()

    def boom(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(Membership.objects, "create", boom)
    with pytest.raises(RuntimeError):
        services.create_team(creator=owner, name="Owls")
    assert not Team.objects.exists()


def test_create_api_key_command_prints_the_key_last(capsys):
    call_command("create_api_key", "operator", "--create-user", "--name", "ops")
    out = capsys.readouterr().out
    raw = out.split()[-1]
    api_key = ApiKey.objects.get(user__username="operator")
    assert api_key.name == "ops"
    assert services.authenticate_api_key(raw=raw) == api_key
    assert not api_key.user.has_usable_password()


def test_create_api_key_command_refuses_an_unknown_user_without_create_user():
    with pytest.raises(CommandError, match="--create-user"):
        call_command("create_api_key", "ghost")
    assert not User.objects.filter(username="ghost").exists()


def test_create_api_key_command_refuses_an_invalid_username():
    with pytest.raises(CommandError):
        call_command("create_api_key", "bad name!", "--create-user")
    assert not User.objects.exists()


def test_seed_demo_is_idempotent(capsys):
    from datasets.models import Dataset

    call_command("seed_demo")
    call_command("seed_demo")
    # scikit-learn's bundled tables, uploaded once each, through the upload service.
    assert sorted(Dataset.objects.values_list("name", "version")) == [
        ("breast-cancer-wisconsin", 1),
        ("diabetes", 1),
        ("digits", 1),
        ("iris", 1),
        ("linnerud", 1),
        ("wine", 1),
    ]
    assert "Demo login: demo / tunebench-demo" in capsys.readouterr().out
    assert sorted(User.objects.values_list("username", flat=True)) == ["ada", "demo"]
    team = Team.objects.get()
    assert sorted(team.memberships.values_list("user__username", "role")) == [
        ("ada", "member"),
        ("demo", "owner"),
    ]
    assert User.objects.get(username="demo").check_password("tunebench-demo")


def test_signing_in_ignores_the_case_of_the_username(client):
    services.register_user(username="Ada", password="analytical-3ngine")
    assert client.login(username="ada", password="analytical-3ngine")
    assert client.login(username="ADA", password="analytical-3ngine")


@pytest.mark.parametrize("action", ["add", "change"])
def test_an_unknown_role_is_a_domain_error_naming_the_field(action):
    from accounts.exceptions import InvalidRole
    from tests.factories import make_team

    owner, member = UserFactory(), UserFactory()
    team = make_team(owner=owner, members=(member,))
    newcomer = UserFactory()
    membership = Membership.objects.get(team=team, user=member)

    def attempt():
        if action == "add":
            services.add_member(team=team, actor=owner, username=newcomer.username, role="x")
        else:
            services.change_role(membership=membership, actor=owner, role="admin")

    with pytest.raises(InvalidRole) as caught:
        attempt()
    assert caught.value.field == "role"
    assert team.memberships.count() == 2
    assert set(team.memberships.values_list("role", flat=True)) == {"owner", "member"}


def test_a_fullwidth_username_meets_its_ascii_twin_as_taken():
    services.register_user(username="ada", password="analytical-3ngine")
    with pytest.raises(UsernameTaken):
        services.register_user(username="\uff21\uff24\uff21", password="analytical-3ngine")
    assert User.objects.count() == 1


def test_api_key_plaintext_never_reaches_the_logs(caplog, client):
    user = UserFactory()
    with caplog.at_level("DEBUG"):
        _, raw = services.create_api_key(user=user, name="k")
        client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}")
    secret = raw.split("_", 2)[2]
    assert secret not in caplog.text
