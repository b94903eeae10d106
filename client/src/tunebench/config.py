"""Where the client finds its server URL and API key.

Each setting is resolved on its own, first match wins: the explicit argument, then the environment
(`TUNEBENCH_URL`, `TUNEBENCH_API_KEY`), then the config file, then the default (`DEFAULT_URL`, no
key). The config file is TOML with top-level `url` and `api_key`, at `$TUNEBENCH_CONFIG` if set,
else `$XDG_CONFIG_HOME/tunebench/config.toml` (XDG defaults to `~/.config`). `tunebench login`
writes it through `write_config`, readable by its owner only because it holds a secret.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tunebench.exceptions import ConfigError

DEFAULT_URL = "http://127.0.0.1:8000"
ENV_URL = "TUNEBENCH_URL"
ENV_API_KEY = "TUNEBENCH_API_KEY"
ENV_CONFIG = "TUNEBENCH_CONFIG"


@dataclass(frozen=True)
class Settings:
    """The resolved connection settings."""

    url: str
    api_key: str | None = field(default=None, repr=False)  # a secret: keep it out of logs


def config_path() -> Path:
    """The config file's path (which need not exist)."""
    explicit = os.environ.get(ENV_CONFIG)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME", "")
    # The XDG spec says to ignore a relative value: it would depend on the working directory.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".config"
    return base / "tunebench" / "config.toml"


def read_config(path: Path | None = None) -> dict[str, str]:
    """The `url` and `api_key` set in the config file; empty when the file does not exist."""
    path = path or config_path()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc}") from exc
    values = {}
    for key in ("url", "api_key"):
        value = data.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise ConfigError(f"In the config file {path}, {key} must be a string.")
        values[key] = value
    return values


def normalize_url(url: str) -> str:
    """The site root without a trailing slash; rejects what is not an http(s) URL."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"Invalid server URL {url!r}: expected the site root, like https://tunebench.example.org."
        )
    return url


def resolve(url: str | None = None, api_key: str | None = None) -> Settings:
    """Settings from the arguments, the environment, the config file, the default: in that order."""
    url = url or os.environ.get(ENV_URL) or None
    api_key = api_key or os.environ.get(ENV_API_KEY) or None
    if url is None or api_key is None:
        # Only read the file when needed, so a broken file cannot break explicit settings.
        stored = read_config()
        url = url or stored.get("url")
        api_key = api_key or stored.get("api_key")
    return Settings(url=normalize_url(url or DEFAULT_URL), api_key=api_key)


def _toml_string(value: str) -> str:
    """A TOML basic string; escapes what TOML forbids raw (quote, backslash, control characters)."""
    out = []
    for char in value:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def write_config(*, url: str, api_key: str, path: Path | None = None) -> Path:
    """Replace the config file with `url` and `api_key`, mode 0600; returns its path.

    The file is written under a temporary name and renamed, so a crash never leaves half a file,
    and the key is never readable by others, even for a moment.
    """
    path = path or config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    text = (
        "# Written by `tunebench login`. Holds a secret: keep this file private.\n"
        f"url = {_toml_string(url)}\n"
        f"api_key = {_toml_string(api_key)}\n"
    )
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            # mkstemp already creates the file 0600; chmod states the intent in case that changes.
            os.fchmod(fh.fileno(), 0o600)
            fh.write(text)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path
