"""The module-level API (`tunebench.whoami()`): each `Client` method, run on the default connection.

Written out rather than generated, so editors and type checkers see real signatures and docs.
"""

from __future__ import annotations

from tunebench.accounts import Team, User
from tunebench.client import default_client


def whoami() -> User:
    """The user the default connection's API key belongs to."""
    return default_client().whoami()


def list_teams(limit: int | None = None, offset: int = 0) -> list[Team]:
    """Teams the server lists, skipping `offset`; every page when `limit` is None."""
    return default_client().list_teams(limit=limit, offset=offset)
