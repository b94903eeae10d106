"""The upload size cap: refused with 413 before the body is stored, whatever the client.

Two guards, because a client may or may not announce the size. ``UploadCapMiddleware``
answers 413 at once when ``Content-Length`` is over the cap, before anything reads the
body (and before CSRF checks read it). For bodies without a length (chunked), the upload
handlers count bytes as they stream to disk and stop at the cap; the view then sees
``request.upload_too_large`` and answers 413, and Django deletes the partial temp file.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import (
    MemoryFileUploadHandler,
    StopUpload,
    TemporaryFileUploadHandler,
)
from django.http import JsonResponse
from django.shortcuts import render

# Room for the multipart framing and the metadata fields around the file.
ENVELOPE_BYTES = 1 << 20


def too_large_detail() -> str:
    return f"Uploads are limited to {settings.TUNEBENCH_MAX_UPLOAD_BYTES:,} bytes."


class UploadCapMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.TUNEBENCH_MAX_UPLOAD_BYTES + ENVELOPE_BYTES:
            return too_large_response(request)
        return self.get_response(request)


def too_large_response(request):
    if request.path.startswith("/api/"):
        body = {
            "type": "urn:tunebench:problem:payload_too_large",
            "title": "The upload is larger than this server accepts.",
            "status": 413,
            "detail": too_large_detail(),
            "code": "payload_too_large",
            "instance": request.path,
        }
        return JsonResponse(body, status=413, content_type="application/problem+json")
    return render(request, "frontend/413.html", {"detail": too_large_detail()}, status=413)


class _CountingMixin:
    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.TUNEBENCH_MAX_UPLOAD_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)
        return super().receive_data_chunk(raw_data, start)


class CappedMemoryFileUploadHandler(_CountingMixin, MemoryFileUploadHandler):
    pass


class CappedTemporaryFileUploadHandler(_CountingMixin, TemporaryFileUploadHandler):
    pass
