"""One error format for the whole API: RFC 9457 problem details with a stable ``code``.

Every error, ours (:class:`config.errors.DomainError`), Django's (ValidationError, Http404,
PermissionDenied) and DRF's (validation, authentication, throttling, parsing), leaves
through :func:`problem_exception_handler` as::

    {"type": "urn:tunebench:problem:<code>", "title": ..., "status": 400, "detail": ...,
     "code": "<code>", "instance": "/api/v1/...", "errors": {"<field>": [{"code", "message"}]}}

``errors`` appears only when the problem is about particular input fields. No view builds
an error dict by hand.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from config.errors import DomainError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"

_TITLES = {
    exceptions.ParseError: "Malformed request body.",
    exceptions.AuthenticationFailed: "Authentication failed.",
    exceptions.NotAuthenticated: "Authentication required.",
    exceptions.PermissionDenied: "You do not have permission to do this.",
    exceptions.NotFound: "Not found.",
    exceptions.MethodNotAllowed: "Method not allowed.",
    exceptions.NotAcceptable: "Not acceptable.",
    exceptions.UnsupportedMediaType: "Unsupported media type.",
    exceptions.Throttled: "Too many requests.",
}


def _flatten(detail, prefix: str = "") -> dict[str, list[dict[str, str]]]:
    """DRF's nested error details as ``{"field.sub": [{"code", "message"}]}``."""
    flat: dict[str, list[dict[str, str]]] = {}
    if isinstance(detail, Mapping):
        if set(detail) == {"message", "code"} and isinstance(detail["message"], str):
            flat.setdefault(prefix or "non_field_errors", []).append(
                {"code": str(detail["code"]), "message": detail["message"]}
            )
            return flat
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, Mapping) and set(value) != {"message", "code"}:
                flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
            else:
                for field, items in _flatten(value, prefix).items():
                    flat.setdefault(field, []).extend(items)
    return flat


def _summary(errors: dict[str, list[dict[str, str]]]) -> str:
    field, items = next(iter(errors.items()))
    more = sum(len(v) for v in errors.values()) - 1
    text = items[0]["message"] if field == "non_field_errors" else f"{field}: {items[0]['message']}"
    return text + (f" (and {more} more)" if more else "")


def problem_response(
    *,
    status_code: int,
    code: str,
    title: str,
    detail: str,
    request=None,
    errors: dict | None = None,
    headers: dict | None = None,
    extensions: dict | None = None,
) -> Response:
    body = {
        "type": f"urn:tunebench:problem:{code}",
        "title": title,
        "status": status_code,
        "detail": detail,
        "code": code,
    }
    if request is not None:
        body["instance"] = request.path
    if errors:
        body["errors"] = errors
    for key, value in (extensions or {}).items():
        body.setdefault(key, value)
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def problem_exception_handler(exc, context):
    request = context.get("request")
    headers: dict[str, str] = {}

    if isinstance(exc, RequestDataTooBig):
        return problem_response(
            status_code=413,
            code="payload_too_large",
            title="The request body is larger than this server accepts.",
            detail=str(exc) or "Request body too large.",
            request=request,
        )
    if isinstance(exc, SuspiciousOperation):  # too many files or fields in a multipart body
        return problem_response(
            status_code=400,
            code="malformed_request",
            title="Malformed request.",
            detail=str(exc) or "The request was refused.",
            request=request,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)

    if isinstance(exc, DomainError):
        set_rollback()
        errors = exc.errors or (
            {exc.field: [{"code": exc.code, "message": exc.detail}]} if exc.field else None
        )
        return problem_response(
            status_code=exc.status_code,
            code=exc.code,
            title=exc.title,
            detail=exc.detail,
            request=request,
            errors=errors,
            extensions=exc.extensions,
        )

    if isinstance(exc, exceptions.APIException):
        set_rollback()
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(math.ceil(exc.wait))
        if isinstance(exc, exceptions.ValidationError):
            errors = _flatten(exc.get_full_details())
            return problem_response(
                status_code=status.HTTP_400_BAD_REQUEST,
                code="invalid",
                title="Invalid input.",
                detail=_summary(errors) if errors else "Invalid input.",
                request=request,
                errors=errors,
                headers=headers,
            )
        full = exc.get_full_details()
        if isinstance(full, list):  # an APIException raised with a list of messages
            full = full[0] if full else {"message": str(exc), "code": exc.default_code}
        title = next((t for cls, t in _TITLES.items() if isinstance(exc, cls)), "Request failed.")
        return problem_response(
            status_code=exc.status_code,
            code=str(full.get("code", exc.default_code)),
            title=title,
            detail=str(full.get("message", exc.default_detail)),
            request=request,
            headers=headers,
        )

    # Anything else is our bug: log it with the traceback, answer without one (D18).
    logger.exception("unhandled error in %s", request.path if request else "API view")
    set_rollback()
    return problem_response(
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
        code="server_error",
        title="Internal server error.",
        detail="Something went wrong on our side; it has been logged.",
        request=request,
    )


def _plain_problem(request, *, status_code: int, code: str, title: str, detail: str):
    """A problem document outside DRF (Django's 404/500 handlers), same shape as above."""
    from django.http import JsonResponse

    body = {
        "type": f"urn:tunebench:problem:{code}",
        "title": title,
        "status": status_code,
        "detail": detail,
        "code": code,
        "instance": request.path,
    }
    return JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def api_page_not_found(request, exception=None):
    return _plain_problem(
        request,
        status_code=404,
        code="not_found",
        title="Not found.",
        detail=f"No API endpoint at {request.path}; see /api/docs/.",
    )


def api_server_error(request):
    return _plain_problem(
        request,
        status_code=500,
        code="server_error",
        title="Internal server error.",
        detail="Something went wrong on our side; it has been logged.",
    )
