"""Tunebench client: share and fetch verified machine-learning benchmarks from Python.

    import tunebench
    tunebench.connect("https://tunebench.example.org", api_key="tb_...")
    tunebench.whoami()

Every call exists as a `Client` method and as a module function on the default connection, which
is made from `TUNEBENCH_URL`, `TUNEBENCH_API_KEY` and the config file when `connect` was not called.
"""

from tunebench._version import __version__
from tunebench.accounts import Team, TeamMembership, User
from tunebench.client import Client, connect
from tunebench.exceptions import (
    AuthenticationError,
    ConfigError,
    ConnectionFailed,
    NotFound,
    PermissionDenied,
    ServerError,
    Throttled,
    TunebenchError,
    ValidationError,
)
from tunebench.functions import list_teams, whoami

__all__ = [
    "AuthenticationError",
    "Client",
    "ConfigError",
    "ConnectionFailed",
    "NotFound",
    "PermissionDenied",
    "ServerError",
    "Team",
    "TeamMembership",
    "Throttled",
    "TunebenchError",
    "User",
    "ValidationError",
    "__version__",
    "connect",
    "list_teams",
    "whoami",
]
