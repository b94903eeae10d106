"""HTTP plumbing shared by every resource: `APIClient` sends requests to `<url>/api/v1/`.

It adds the `Authorization: Token <key>` and `User-Agent` headers, decodes JSON, follows
pagination, and turns failures into `tunebench.exceptions`: an error status into the subclass
for that status (filled from the problem+json body when there is one), an unreachable server
into `ConnectionFailed`. Resource modules (`accounts.py`, ...) build their calls on
`get`/`post`/`delete`/`paginate` and never touch `requests` themselves.
"""

from __future__ import annotations

import email.utils
import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.auth import AuthBase

from tunebench._version import __version__
from tunebench.config import ENV_URL, normalize_url
from tunebench.exceptions import (
    ConnectionFailed,
    FieldErrors,
    QuotaExceeded,
    Throttled,
    TunebenchError,
    exception_class_for,
)

USER_AGENT = f"tunebench-python/{__version__}"
API_PREFIX = "/api/v1/"
# the OS's words inside urllib3's message, e.g. "[Errno 111] Connection refused"
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")

# the members of a problem document the exception's own attributes hold
_PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "code", "errors", "instance"})

# query parameters as a list of pairs, so repeated keys (?tag=a&tag=b) survive pagination
Query = list[tuple[str, str]]


class TokenAuth(AuthBase):
    """Sends `Authorization: Token <key>`.

    Set as `Session.auth` rather than as a default header: requests then drops it when a redirect
    leaves the host, and a `~/.netrc` entry cannot silently replace it.
    """

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Token {self.api_key}"
        return request

    def __repr__(self) -> str:
        return "TokenAuth(<hidden>)"


class APIClient:
    """A connection to one Tunebench server's API; use through `tunebench.Client`."""

    def __init__(self, url: str, api_key: str | None = None, *, timeout: float | None = 30) -> None:
        self.url = normalize_url(url)
        self.api_root = self.url + API_PREFIX
        self.timeout = timeout
        self._api_key = api_key
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json, application/problem+json"
        if api_key:
            self.session.auth = TokenAuth(api_key)

    @property
    def api_key(self) -> str | None:
        return self._api_key

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r}, authenticated={bool(self._api_key)})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | Query | None = None,
        json: Any = None,
    ) -> Any:
        """Send a request to `path` (relative to `/api/v1/`) and return the decoded JSON body.

        Returns None for an empty body (204). Raises the `TunebenchError` subclass for an error
        status, `ConnectionFailed` when the server cannot be reached in `timeout` seconds.
        """
        response = self._send(method, path, params=params, json=json)
        if response.status_code == 204 or not response.content:
            return None
        return self._decode(response)

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """The raw response to a request (multipart bodies and file downloads use it too).

        Raises the `TunebenchError` subclass for an error status, `ConnectionFailed` when the
        server cannot be reached in `timeout` seconds.
        """
        url = self.api_root + path.lstrip("/")
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ConnectionFailed(
                f"Cannot reach the Tunebench server at {self.url} ({self._reason(exc)}). "
                f"Check that it is running and that {ENV_URL} (or --url) points at it."
            ) from exc
        except requests.RequestException as exc:
            raise TunebenchError(f"{method} {url} failed: {exc}", code="request_failed") from exc
        if response.status_code >= 400:
            raise error_from_response(response)
        return response

    def _decode(self, response: requests.Response) -> Any:
        """The JSON body, or a clear error when the server answered something else."""
        try:
            return response.json()
        except ValueError as exc:
            # Typically a URL that points at some other website, which answers with HTML.
            content_type = response.headers.get("Content-Type") or "no content type"
            raise TunebenchError(
                f"Expected JSON from {response.url} but got {content_type}; "
                f"is {self.url} a Tunebench server?",
                status=response.status_code,
                code="invalid_response",
                response_body=response.text,
            ) from exc

    def _reason(self, exc: requests.RequestException) -> str:
        """A short cause; requests' own message is a paragraph of urllib3 reprs."""
        if isinstance(exc, requests.Timeout):
            return f"no answer within {self.timeout} s"
        if isinstance(exc, requests.exceptions.SSLError):
            return "TLS error"
        match = _ERRNO.search(str(exc))
        return match.group(1).strip() if match else "connection failed"

    def get(self, path: str, *, params: dict[str, Any] | Query | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, json: Any = None) -> Any:
        return self.request("POST", path, json=json)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def paginate(
        self,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[dict[str, Any]]:
        """Yield the `results` of a paginated list, following `next` until `limit` items or the end.

        `next` is read for its query string only and sent to the endpoint we asked: a server behind
        a proxy may build it with an internal host or `http://`, and the API key must not follow it.
        """
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0, or None for all items")
        if offset < 0:
            raise ValueError("offset must be >= 0")
        query: Query = [(key, str(value)) for key, value in (params or {}).items()]
        if offset:
            query.append(("offset", str(offset)))
        if limit is not None:
            if limit == 0:
                return
            query.append(("limit", str(limit)))
        remaining = limit
        while True:
            page = self.get(path, params=query)
            results = page.get("results") if isinstance(page, dict) else None
            if not isinstance(results, list):
                raise TunebenchError(
                    f"Expected a paginated list from {self.api_root}{path}.",
                    code="invalid_response",
                )
            for item in results:
                yield item
                if remaining is not None:
                    remaining -= 1
                    if remaining == 0:
                        return
            next_url = page.get("next")
            if not next_url or not results:
                return
            query = parse_qsl(urlsplit(next_url).query, keep_blank_values=True)


def error_from_response(response: requests.Response) -> TunebenchError:
    """The exception for an error response, from its problem+json body when it has one."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    problem = body if isinstance(body, dict) else {}
    detail = problem.get("detail")
    if detail is not None and not isinstance(detail, str):
        detail = str(detail)
    if not problem:
        # A proxy's error page or a bare text body: name the URL, and keep short plain text.
        detail = f"{response.reason or 'Error'} from {response.url}"
        text = " ".join(response.text.split())
        content_type = response.headers.get("Content-Type", "")
        if text and "html" not in content_type and len(text) <= 200:
            detail += f": {text}"
    code = problem.get("code") if isinstance(problem.get("code"), str) else None
    kwargs: dict[str, Any] = {
        "status": status,
        "code": code,
        "title": problem.get("title") if isinstance(problem.get("title"), str) else response.reason,
        "errors": _field_errors(problem.get("errors")),
        "response_body": response.text,
        "extra": {key: value for key, value in problem.items() if key not in _PROBLEM_MEMBERS},
    }
    cls = exception_class_for(status, code)
    if issubclass(cls, Throttled):
        kwargs["retry_after"] = parse_retry_after(response.headers.get("Retry-After"))
    if cls is QuotaExceeded:
        kwargs["used"] = _count(problem.get("used"))
        kwargs["limit"] = _count(problem.get("limit"))
    return cls(detail, **kwargs)


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; an obsolete form may parse naive
        when = when.replace(tzinfo=UTC)
    return float(max(0, math.ceil((when - datetime.now(UTC)).total_seconds())))


def _field_errors(raw: object) -> FieldErrors:
    """A problem's `errors` as field -> [{code, message}], tolerating other shapes."""
    if not isinstance(raw, dict):
        return {}
    errors: FieldErrors = {}
    for field, items in raw.items():
        entries = items if isinstance(items, list) else [items]
        errors[str(field)] = [
            {"code": item.get("code"), "message": item.get("message")}
            if isinstance(item, dict)
            else {"code": None, "message": str(item)}
            for item in entries
        ]
    return errors
