"""Where `connect` gets its URL and key: arguments > environment > config file > default."""

import stat
import tomllib

import pytest

import tunebench
from tunebench import config


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    """A config file named by TUNEBENCH_CONFIG, holding a URL and a key."""
    path = tmp_path / "custom.toml"
    path.write_text('url = "https://file.example.org"\napi_key = "tb_file0000_secret"\n')
    monkeypatch.setenv("TUNEBENCH_CONFIG", str(path))
    return path


def test_connect_without_any_setting_uses_localhost_and_no_key():
    client = tunebench.connect()
    assert (client.url, client.api_key) == ("http://127.0.0.1:8000", None)
    assert client.api_root == "http://127.0.0.1:8000/api/v1/"


def test_connect_reads_the_file_named_by_tunebench_config(config_file):
    client = tunebench.connect()
    assert (client.url, client.api_key) == ("https://file.example.org", "tb_file0000_secret")


def test_environment_beats_config_file(config_file, monkeypatch):
    monkeypatch.setenv("TUNEBENCH_URL", "https://env.example.org")
    monkeypatch.setenv("TUNEBENCH_API_KEY", "tb_env00000_secret")
    client = tunebench.connect()
    assert (client.url, client.api_key) == ("https://env.example.org", "tb_env00000_secret")


def test_arguments_beat_environment_and_config_file(config_file, monkeypatch):
    monkeypatch.setenv("TUNEBENCH_URL", "https://env.example.org")
    monkeypatch.setenv("TUNEBENCH_API_KEY", "tb_env00000_secret")
    client = tunebench.connect("https://arg.example.org/", api_key="tb_arg00000_secret")
    assert (client.url, client.api_key) == ("https://arg.example.org", "tb_arg00000_secret")


def test_each_setting_falls_back_on_its_own(config_file, monkeypatch):
    monkeypatch.setenv("TUNEBENCH_URL", "https://env.example.org")
    client = tunebench.connect()
    assert (client.url, client.api_key) == ("https://env.example.org", "tb_file0000_secret")


def test_config_file_defaults_to_xdg_config_home(tmp_path, monkeypatch):
    xdg = tmp_path / "xdg"
    (xdg / "tunebench").mkdir(parents=True)
    (xdg / "tunebench" / "config.toml").write_text('url = "https://xdg.example.org"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    assert config.config_path() == xdg / "tunebench" / "config.toml"
    assert tunebench.connect().url == "https://xdg.example.org"


def test_config_file_defaults_to_dot_config_in_home(tmp_path):
    # the autouse fixture set HOME to tmp_path/home and removed XDG_CONFIG_HOME
    path = tmp_path / "home" / ".config" / "tunebench" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('url = "https://home.example.org"\n')
    assert config.config_path() == path
    assert tunebench.connect().url == "https://home.example.org"


def test_invalid_toml_raises_config_error_naming_the_file(config_file):
    config_file.write_text("url = https://unquoted\n")
    with pytest.raises(tunebench.ConfigError, match=str(config_file)):
        tunebench.connect()


def test_non_string_key_in_config_file_raises_config_error(config_file):
    config_file.write_text("api_key = 12\n")
    with pytest.raises(tunebench.ConfigError, match="api_key must be a string"):
        tunebench.connect()


def test_explicit_settings_do_not_read_a_broken_config_file(config_file):
    config_file.write_text("not toml at all [")
    client = tunebench.connect("https://arg.example.org", api_key="tb_arg00000_secret")
    assert client.url == "https://arg.example.org"


@pytest.mark.parametrize("url", ["ftp://example.org", "example.org", "http://"])
def test_connect_rejects_a_url_that_is_not_http(url):
    with pytest.raises(tunebench.ConfigError, match="Invalid server URL"):
        tunebench.connect(url)


def test_connect_makes_the_client_the_default_connection():
    client = tunebench.connect("https://arg.example.org")
    assert tunebench.client.default_client() is client


def test_write_config_creates_directory_and_a_0600_file_that_round_trips(tmp_path):
    path = tmp_path / "new" / "dir" / "config.toml"
    key = 'tb_ab12cd34_odd"\\chars\n'
    config.write_config(url="https://x.example.org", api_key=key, path=path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tomllib.loads(path.read_text()) == {"url": "https://x.example.org", "api_key": key}


def test_write_config_makes_an_existing_readable_file_private(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('url = "https://old.example.org"\n')
    path.chmod(0o644)
    config.write_config(url="https://new.example.org", api_key="tb_new00000_s", path=path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config.read_config(path)["url"] == "https://new.example.org"


def test_settings_repr_hides_the_api_key():
    settings = config.Settings(url="https://x.example.org", api_key="tb_abc12345_secret")
    assert "secret" not in repr(settings)
    assert "secret" not in repr(tunebench.Client("https://x.example.org", "tb_abc12345_secret"))
