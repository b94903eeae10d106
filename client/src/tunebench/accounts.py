"""Accounts: who the API key belongs to (`whoami`) and the teams on the server (`list_teams`).

The dataclasses mirror the server's JSON for `/api/v1/me/` and `/api/v1/teams/` field for field;
`AccountsAPI` adds the calls to `tunebench.Client`. Timestamps stay ISO 8601 strings as sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tunebench._parsing import parse_response
from tunebench.api import APIClient


@dataclass(frozen=True)
class TeamMembership:
    """A team the user belongs to, with the user's role in it (`owner`, `member`, ...)."""

    id: int
    slug: str
    name: str
    role: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TeamMembership:
        return cls(id=data["id"], slug=data["slug"], name=data["name"], role=data["role"])


@dataclass(frozen=True)
class User:
    """The account an API key belongs to."""

    id: int
    username: str
    email: str
    date_joined: str
    teams: list[TeamMembership]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> User:
        return cls(
            id=data["id"],
            username=data["username"],
            email=data["email"],
            date_joined=data["date_joined"],
            teams=[TeamMembership.from_json(team) for team in data["teams"]],
        )


@dataclass(frozen=True)
class Team:
    """A team: a group of users who share datasets, tasks and runs."""

    id: int
    slug: str
    name: str
    description: str
    member_count: int
    created_at: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Team:
        return cls(
            id=data["id"],
            slug=data["slug"],
            name=data["name"],
            description=data["description"],
            member_count=data["member_count"],
            created_at=data["created_at"],
        )


class AccountsAPI(APIClient):
    """The account calls of `tunebench.Client`."""

    def whoami(self) -> User:
        """The user the API key belongs to; raises `AuthenticationError` without a valid key."""
        return parse_response(User.from_json, self.get("me/"), "me/")

    def list_teams(self, limit: int | None = None, offset: int = 0) -> list[Team]:
        """Teams the server lists, skipping `offset`; every page when `limit` is None."""
        return [
            parse_response(Team.from_json, item, "teams/")
            for item in self.paginate("teams/", limit=limit, offset=offset)
        ]
