"""Strict JSON: the one way the API reads JSON, in request bodies and in JSON-text fields.

Python's ``json`` module accepts what JSON does not: ``NaN`` and ``Infinity``, and an object
with the same key twice (the last one silently wins, so ``{"max_depth": 3, "max_depth":
null}`` would store something the sender may not have meant). It also recurses once per
nesting level, so a body of ``[[[[...`` a hundred thousand deep ends in ``RecursionError``,
a 500. :func:`loads` refuses all three with a :class:`JSONError` that says which;
:class:`StrictJSONParser` (the API's default parser) turns that into a 400 ``parse_error``
and :func:`loads_strict` into a validation error on one field (the JSON-text fields of a
multipart run upload: ``parameters``, ``environment``, ``fold_timings``).
"""

from __future__ import annotations

import codecs
import json
from typing import Any

from rest_framework.exceptions import ErrorDetail, ParseError, ValidationError
from rest_framework.parsers import JSONParser, get_encoding

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


def _check_depth(value: Any) -> None:
    """Iteratively, so checking a deep value cannot itself overflow the stack."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise JSONError(
                    f"The JSON is nested more than {MAX_DEPTH} levels deep.", code="too_deep"
                )
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
    _check_depth(value)
    return value


class StrictJSONParser(JSONParser):
    """DRF's JSON parser without duplicate keys, NaN/Infinity or deep nesting (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})  # text codecs only (no bz2 bombs)
        try:
            return loads(codecs.getreader(encoding)(stream).read())
        except JSONError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        except ValueError as exc:  # undecodable bytes
            raise ParseError(f"JSON parse error - {exc}") from None


def loads_strict(text: str, field: str) -> Any:
    """The value of a JSON-text form field, or a 400 naming ``field`` and why."""
    try:
        return loads(text)
    except JSONError as exc:
        raise ValidationError({field: [ErrorDetail(str(exc), code=exc.code)]}) from None
