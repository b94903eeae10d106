"""Helpers for dataset tests: files made on the fly, uploads through the real service."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from datasets.services import upload_dataset

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "datasets"

IRIS_HEAD = (
    "sepal_length,sepal_width,petal_length,petal_width,species\n"
    "5.1,3.5,1.4,0.2,setosa\n"
    "4.9,3.0,1.4,0.2,setosa\n"
    "7.0,3.2,4.7,1.4,versicolor\n"
    "6.4,3.2,4.5,1.5,versicolor\n"
    "6.3,3.3,6.0,2.5,virginica\n"
    "5.8,,5.1,1.9,virginica\n"
)


def csv_file(text: str = IRIS_HEAD, name: str = "iris.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def upload(user, *, text: str = IRIS_HEAD, name: str = "iris", **kwargs):
    """Upload through the service, as the API and the website do."""
    kwargs.setdefault("default_target_attribute", "species")
    return upload_dataset(
        uploader=user, chunks=iter([text.encode()]), filename=f"{name}.csv", name=name, **kwargs
    )


def bytes_of(response) -> bytes:
    buffer = io.BytesIO()
    for chunk in response.streaming_content:
        buffer.write(chunk)
    return buffer.getvalue()
