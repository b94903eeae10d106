"""Where dataset files live, and how they get there without ever being half-written.

Files sit under ``MEDIA_ROOT/datasets/<id>/<kind>.<ext>``: names are ours, never the
client's. Every file is written to a temporary name in the same folder and moved into
place with ``os.replace``, which is atomic on one filesystem, so a reader sees the whole
file or none (reliability-checklist I2). The filesystem is what the embedded default and
one-machine deployments use; shared S3-compatible storage for many worker machines is a
later capability.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from django.conf import settings

EXTENSIONS = {
    "csv": "csv",
    "arff": "arff",
    "sparse_arff": "arff",
    "parquet": "parquet",
}


def dataset_dir(dataset_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "datasets" / str(dataset_id)


def file_path(dataset_id: int, kind: str) -> Path:
    """The stored file of one kind: 'original' (extension-less) or a derived format."""
    name = "original" if kind == "original" else f"data.{EXTENSIONS[kind]}"
    return dataset_dir(dataset_id) / name


def staging_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "staging"
    path.mkdir(parents=True, exist_ok=True)
    return path


def temp_path_beside(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")


def move_into_place(source: Path, target: Path) -> None:
    """Move a finished file to its final name atomically (a copy first if across devices)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError:
        temp = temp_path_beside(target)
        shutil.copyfile(source, temp)
        os.replace(temp, target)
        source.unlink(missing_ok=True)


def copy_with_checksums(chunks: Iterable[bytes], target: Path) -> tuple[int, str, str]:
    """Stream an upload to ``target``; return its size, MD5 and SHA-256 (hex)."""
    md5, sha256, size = hashlib.md5(usedforsecurity=False), hashlib.sha256(), 0
    with open(target, "wb") as out:
        for chunk in chunks:
            out.write(chunk)
            md5.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
    return size, md5.hexdigest(), sha256.hexdigest()


def sha256_of(path: Path) -> str:
    """The SHA-256 (hex) of a stored file, to verify it before use (reliability-checklist I3)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


T = TypeVar("T")


def write_all(writers: dict[Path, Callable[[Path], T]]) -> dict[Path, T]:
    """Write several files, each through a temp name and an atomic move: all or none.

    ``writers`` maps each final path to a function writing that file to the path it is
    given (and returning, say, its checksums). If any writer fails, the files already
    moved into place are removed before the error propagates, so no file is left without
    the database row that would describe it.
    """
    results: dict[Path, T] = {}
    try:
        for final, write in writers.items():
            temp = temp_path_beside(final)
            try:
                results[final] = write(temp)
                move_into_place(temp, final)
            finally:
                temp.unlink(missing_ok=True)
    except BaseException:
        for final in results:
            final.unlink(missing_ok=True)
        raise
    return results


def remove_dataset_files(dataset_id: int) -> None:
    shutil.rmtree(dataset_dir(dataset_id), ignore_errors=True)
