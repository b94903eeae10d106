"""The `tunebench` command, called through `tunebench.cli.main(argv)`."""

import stat
import tomllib

import pytest

from tunebench import cli


@pytest.fixture
def config_path(tmp_path, monkeypatch):
    """Where login writes: the file TUNEBENCH_CONFIG names (in a directory not yet made)."""
    path = tmp_path / "conf" / "tunebench.toml"
    monkeypatch.setenv("TUNEBENCH_CONFIG", str(path))
    return path


def test_login_with_key_writes_a_private_config_file(server, api_key, config_path, capsys):
    assert cli.main(["login", "--url", server.url + "/", "--api-key", api_key]) == 0
    assert capsys.readouterr().out == f"Logged in to {server.url} as ada.\n"
    assert stat.S_IMODE(config_path.stat().st_mode) == 0o600
    assert tomllib.loads(config_path.read_text()) == {"url": server.url, "api_key": api_key}


def test_login_writes_to_xdg_config_home_by_default(server, api_key, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert cli.main(["login", "--url", server.url, "--api-key", api_key]) == 0
    written = tmp_path / "xdg" / "tunebench" / "config.toml"
    assert tomllib.loads(written.read_text())["api_key"] == api_key


def test_login_prompts_for_the_key_when_not_given(server, api_key, config_path, monkeypatch):
    prompts = []
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: prompts.append(prompt) or api_key)
    assert cli.main(["--url", server.url, "login"]) == 0
    assert prompts == [f"API key for {server.url}: "]
    assert tomllib.loads(config_path.read_text())["api_key"] == api_key


def test_login_with_rejected_key_exits_1_and_writes_nothing(server, config_path, capsys):
    assert cli.main(["login", "--url", server.url, "--api-key", "tb_wrong000_key"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: not_authenticated: Invalid API key. (HTTP 401)\n")
    assert not config_path.exists()


def test_login_with_empty_prompt_answer_exits_1(server, config_path, monkeypatch, capsys):
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: "  ")
    assert cli.main(["login", "--url", server.url]) == 1
    assert (
        capsys.readouterr().err == "error: invalid_config: No API key given. "
        "Create one on your profile page.\n"
    )
    assert not config_path.exists()


def test_whoami_uses_the_key_saved_by_login(server, api_key, config_path, capsys):
    cli.main(["login", "--url", server.url, "--api-key", api_key])
    capsys.readouterr()
    assert cli.main(["whoami"]) == 0
    assert capsys.readouterr().out == (
        "username: ada\nemail:    ada@example.org\nteams:    lab (owner), ml-group (member)\n"
    )


def test_teams_prints_an_aligned_table_of_all_pages(server, api_key, capsys):
    assert cli.main(["--url", server.url, "--api-key", api_key, "teams"]) == 0
    assert capsys.readouterr().out == (
        "SLUG      NAME                    MEMBERS\n"
        "lab       Lab                           2\n"
        "ml-group  ML Group                     12\n"
        "x         Extended Research Team        1\n"
    )


def test_global_options_override_the_config_file(server, api_key, config_path, closed_url, capsys):
    config_path.parent.mkdir()
    config_path.write_text(f'url = "{closed_url}"\napi_key = "tb_stale000_key"\n')
    assert cli.main(["--url", server.url, "--api-key", api_key, "whoami"]) == 0
    assert "username: ada" in capsys.readouterr().out


def test_unreachable_server_prints_error_and_exits_1(closed_url, capsys):
    assert cli.main(["--url", closed_url, "teams"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        f"error: connection_failed: Cannot reach the Tunebench server at {closed_url} ("
    )


def test_missing_key_exits_1_with_a_login_hint(server, capsys):
    assert cli.main(["--url", server.url, "whoami"]) == 1
    assert "hint: run `tunebench login`" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error_exiting_2(capsys):
    with pytest.raises(SystemExit) as excinfo:
        cli.main(["frobnicate"])
    assert excinfo.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_login_with_url_replaces_a_broken_config_file(server, api_key, config_path, capsys):
    config_path.parent.mkdir()
    config_path.write_text("this is [not toml")
    assert cli.main(["login", "--url", server.url, "--api-key", api_key]) == 0
    assert tomllib.loads(config_path.read_text())["url"] == server.url


def test_broken_config_file_prints_error_naming_it(config_path, capsys):
    config_path.parent.mkdir()
    config_path.write_text("this is [not toml")
    assert cli.main(["whoami"]) == 1
    assert capsys.readouterr().err.startswith(
        f"error: invalid_config: Cannot read the config file {config_path}: "
    )
