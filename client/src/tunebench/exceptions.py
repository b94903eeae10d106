"""Exceptions raised by the Tunebench client.

The server answers every error with an RFC 9457 problem document (`application/problem+json`:
`type`, `title`, `status`, `detail`, `code`, and `errors` for validation). Each HTTP status the
client knows maps to one subclass of `TunebenchError` (a few codes to a more precise one:
`quota_exceeded` to `QuotaExceeded`), which carries the problem's fields, so callers catch the
kind of failure (`except NotFound`) and read the stable `code` for the reason.
As in DRF's `exceptions.py`, every class declares a `default_code`, used when the server (or a
proxy in front of it) sent no problem document.
"""

from __future__ import annotations

from typing import Any

# field name -> [{"code": ..., "message": ...}], the shape of a problem's "errors" member
FieldErrors = dict[str, list[dict[str, Any]]]


class TunebenchError(Exception):
    """Base class of every error the client raises."""

    default_code = "error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        title: str | None = None,
        errors: FieldErrors | None = None,
        response_body: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.code = code or self.default_code
        self.title = title
        self.detail = detail
        self.errors: FieldErrors = errors or {}
        self.response_body = response_body
        # the problem document's other members (RFC 9457 extensions), e.g. `total`, `used`
        self.extra: dict[str, Any] = extra or {}
        super().__init__(detail)

    def __str__(self) -> str:
        text = self.detail or self.title or "Request failed."
        parts = [f"{self.code}: {text}"]
        for field, items in self.errors.items():
            messages = "; ".join(str(item.get("message") or item.get("code")) for item in items)
            # The server's detail often already quotes the first field error; say it once.
            if f"{field}: {messages}" not in text:
                parts.append(f"{field}: {messages}")
        suffix = self._suffix()
        if suffix:
            parts.append(f"({suffix})")
        return " ".join(parts)

    def _suffix(self) -> str:
        return f"HTTP {self.status}" if self.status is not None else ""


class ConfigError(TunebenchError):
    """The configuration (config file, environment or arguments) is unusable."""

    default_code = "invalid_config"


class ConnectionFailed(TunebenchError):
    """The server could not be reached, or did not answer in time."""

    default_code = "connection_failed"


class ValidationError(TunebenchError):
    """HTTP 400: the request was rejected; `errors` says which fields and why."""

    default_code = "invalid"


class AuthenticationError(TunebenchError):
    """HTTP 401: no API key was sent, or the key is invalid or revoked."""

    default_code = "not_authenticated"


class PermissionDenied(TunebenchError):
    """HTTP 403: the key is valid but may not do this."""

    default_code = "permission_denied"


class NotFound(TunebenchError):
    """HTTP 404: no such object, or not visible to this key."""

    default_code = "not_found"


class Throttled(TunebenchError):
    """HTTP 429: too many requests; `retry_after` is the wait in seconds, when the server said."""

    default_code = "throttled"

    def __init__(
        self, detail: str | None = None, *, retry_after: float | None = None, **kwargs: Any
    ):
        self.retry_after = retry_after
        super().__init__(detail, **kwargs)

    def _suffix(self) -> str:
        suffix = super()._suffix()
        if self.retry_after is not None:
            suffix += f"; retry after {self.retry_after:g} s"
        return suffix


class QuotaExceeded(Throttled):
    """HTTP 429 `quota_exceeded`: the daily quota of server runs (of a team, or of a person
    without one) is used up; `used` and `limit` count runs in the last 24 hours."""

    default_code = "quota_exceeded"

    def __init__(
        self,
        detail: str | None = None,
        *,
        used: int | None = None,
        limit: int | None = None,
        **kwargs: Any,
    ):
        self.used = used
        self.limit = limit
        super().__init__(detail, **kwargs)


class ServerError(TunebenchError):
    """HTTP 5xx: the server (or a proxy in front of it) failed; retrying later may work."""

    default_code = "server_error"


_BY_STATUS: dict[int, type[TunebenchError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    429: Throttled,
}


# (status, code) pairs with a class more precise than the status's
_BY_CODE: dict[tuple[int, str], type[TunebenchError]] = {
    (429, "quota_exceeded"): QuotaExceeded,
}


def exception_class_for(status: int, code: str | None = None) -> type[TunebenchError]:
    """The exception class for an HTTP error status (and the problem's `code`, where one has its
    own class); `TunebenchError` for statuses without a class."""
    if code is not None and (status, code) in _BY_CODE:
        return _BY_CODE[(status, code)]
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, TunebenchError)
