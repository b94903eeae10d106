"""Strict JSON, the one way Tunebench reads JSON: API bodies, JSON-text fields, forms.

Python's ``json`` module accepts what JSON does not: ``NaN`` and ``Infinity``, and an object
with the same key twice (the last one silently wins, so ``{"max_depth": 3, "max_depth":
null}`` would store something the sender may not have meant). It also recurses once per
nesting level, so a body of ``[[[[...`` a hundred thousand deep ends in ``RecursionError``,
a 500; it accepts lone surrogates (``"\\ud800"``), text no database or JSON encoder can
store; and integers of any length, which no database column holds. :func:`loads` refuses
all of these with a :class:`JSONError` that says which. The API's parser and the website's
JSON fields both use it (``api/parsers.py``, ``frontend/forms.py``).
"""

from __future__ import annotations

import json
import math
from typing import Any

# Deeper than any flow, parameter value or environment we store (the services stop at 10
# or fewer), shallow enough that checking it never comes near Python's recursion limit.
MAX_DEPTH = 64


class JSONError(ValueError):
    """Text that is not strict JSON; ``code`` says why."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise JSONError(f"The key {key!r} appears twice in one object.", code="duplicate_key")
        result[key] = value
    return result


def _constant(name: str) -> Any:
    raise JSONError(f"{name} is not a JSON number; send finite numbers only.", code="non_finite")


MAX_INTEGER = 2**63  # what a BIGINT and every JSON column holds exactly


def _no_surrogates(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JSONError(
            "The JSON holds a lone surrogate (an escape such as \\ud800 that is not half of "
            "a pair): that is not text.",
            code="invalid_text",
        ) from None


def _check_values(value: Any) -> None:
    """Depth, text and integer range, iteratively (a deep value cannot overflow the stack)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _no_surrogates(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            if not -MAX_INTEGER <= item < MAX_INTEGER:
                raise JSONError(
                    "An integer in the JSON is beyond the 64-bit range.", code="out_of_range"
                )
        elif isinstance(item, float) and not math.isfinite(item):
            # A literal such as 1e999 overflows to infinity in json.loads.
            raise JSONError(
                "A number in the JSON is too large for a 64-bit float; send finite numbers only.",
                code="non_finite",
            )
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise JSONError(
                    f"The JSON is nested more than {MAX_DEPTH} levels deep.", code="too_deep"
                )
            if isinstance(item, dict):
                for key in item:
                    _no_surrogates(key)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def loads(text: str | bytes) -> Any:
    """Parse strict JSON; raise :class:`JSONError` with a code on anything else."""
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_constant)
    except JSONError:
        raise
    except RecursionError:
        raise JSONError(
            f"The JSON is nested more than {MAX_DEPTH} levels deep.", code="too_deep"
        ) from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too many digits
        raise JSONError(f"Not valid JSON: {exc}", code="invalid_json") from None
    _check_values(value)
    return value
