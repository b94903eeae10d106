"""Helpers shared by the resource dataclasses (`accounts.User`, ...).

Each resource module defines frozen dataclasses with a `from_json` classmethod; `parse_response`
runs it and turns a body of the wrong shape into one clear `TunebenchError` instead of a bare
`KeyError` deep inside the client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from tunebench.exceptions import TunebenchError

T = TypeVar("T")


def parse_response(build: Callable[[Any], T], data: Any, path: str) -> T:
    """`build(data)`, or a `TunebenchError` (code `invalid_response`) naming the endpoint."""
    try:
        return build(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise TunebenchError(
            f"Unexpected response from /api/v1/{path} (missing or malformed {exc}); "
            "is the client older than the server?",
            code="invalid_response",
        ) from exc
