"""Strict JSON in the API (``config/strictjson.py`` says what is refused and why).

:class:`StrictJSONParser` (the API's default parser) turns a :class:`JSONError` into a 400
``parse_error`` and :func:`loads_strict` into a validation error on one field (the JSON-text
fields of a multipart run upload: ``parameters``, ``environment``, ``fold_timings``).
"""

from __future__ import annotations

import codecs
from typing import Any

from rest_framework.exceptions import ErrorDetail, ParseError, ValidationError
from rest_framework.parsers import JSONParser, get_encoding

from config.strictjson import JSONError, loads

__all__ = ["JSONError", "StrictJSONParser", "loads", "loads_strict"]


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
