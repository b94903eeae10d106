"""Streaming a stored file to a client: one way for every download of the API.

The content type is ours, the file is always an attachment (never rendered inline, D13),
and the checksums recorded when the file was written travel in ``ETag``,
``X-Checksum-SHA256`` and ``X-Checksum-MD5`` so clients verify what they received.
"""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse

CONTENT_TYPES = {
    "parquet": "application/vnd.apache.parquet",
    "csv": "text/csv; charset=utf-8",
    "arff": "text/plain; charset=utf-8",
}


def stored_file_response(path: Path, *, kind: str, filename: str, md5: str, sha256: str):
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it when streamed
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES[kind],
    )
    response["ETag"] = f'"{sha256}"'
    response["X-Checksum-SHA256"] = sha256
    response["X-Checksum-MD5"] = md5
    return response
