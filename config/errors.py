"""The base of every domain error.

Services raise subclasses of :class:`DomainError`; the API's exception handler
(``api/errors.py``) renders them as RFC 9457 problem details and the website shows their
message. The shape copies DRF's ``APIException``: each class declares its HTTP status, a
stable kebab-free snake_case ``code`` that clients can switch on, and a human title.
"""

from __future__ import annotations


class DomainError(Exception):
    status_code: int = 400
    code: str = "invalid"
    title: str = "Invalid request."

    def __init__(
        self,
        detail: str | None = None,
        *,
        field: str | None = None,
        extensions: dict | None = None,
        errors: dict[str, list[dict[str, str]]] | None = None,
    ) -> None:
        self.detail = detail or self.title
        # The input field the problem is about, when there is one: the API reports it
        # under ``errors`` so a form can show the message next to the field.
        self.field = field
        # Extra members of the problem document (RFC 9457 section 3.2), e.g. the rows a
        # predictions file got wrong; JSON values only.
        self.extensions = dict(extensions or {})
        # Several problems at once, ``{field: [{"code", "message"}, ...]}``; by default the
        # one problem of ``field``.
        self.errors = dict(errors or {})
        super().__init__(self.detail)


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    title = "Not found."


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"
    title = "You do not have permission to do this."


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    title = "The request conflicts with the current state."
