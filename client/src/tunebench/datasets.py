"""Datasets: upload a table, find datasets, and fetch their data as pandas DataFrames.

`Dataset` mirrors the server's JSON for `/api/v1/datasets/{id}/` field for field; `DatasetsAPI`
adds the calls to `tunebench.Client`. Data travels as Parquet: a DataFrame is written to Parquet by
the engine before upload (categoricals become nominal features), and a file is streamed from disk,
never read into memory, with its SHA-256 so the server can verify the bytes. Downloads are streamed
too, checked against the server's SHA-256, and kept in the cache (`cache_dir()`) under that
checksum: a file is fetched once, and a damaged copy is fetched again.

pandas, pyarrow, tqdm and the engine are imported on first use, so that `import tunebench` and
commands such as `tunebench whoami` stay quick.
"""

from __future__ import annotations

import hashlib
import io
import numbers
import operator
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from email.message import Message
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import requests
from urllib3.fields import RequestField
from urllib3.filepost import choose_boundary

from tunebench._parsing import parse_response
from tunebench.api import APIClient
from tunebench.exceptions import ConnectionFailed, TunebenchError

if TYPE_CHECKING:
    import pandas as pd

ENV_CACHE_DIR = "TUNEBENCH_CACHE_DIR"
DOWNLOAD_FORMATS = ("parquet", "csv", "arff")
# the qualities every dataset in a list carries (the server sends only these in lists)
BASIC_QUALITIES = (
    "NumberOfInstances",
    "NumberOfFeatures",
    "NumberOfClasses",
    "NumberOfMissingValues",
)
LIST_COLUMNS = (
    "id",
    "name",
    "version",
    "status",
    "format",
    "visibility",
    "uploader",
    "team",
    "tags",
    "created_at",
)
FEATURE_COLUMNS = (
    "index",
    "name",
    "data_type",
    "nominal_values",
    "missing_count",
    "distinct_count",
    "is_target",
    "is_row_id",
    "is_ignored",
    "stats",
)
EDITABLE_FIELDS = (
    "description",
    "licence",
    "citation",
    "collection_date",
    "original_data_url",
    "paper_url",
    "default_target_attribute",
    "row_id_attribute",
    "ignore_attributes",
    "tags",
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK_BYTES = 1 << 20


class DatasetError(TunebenchError):
    """The dataset cannot be used: processing failed, or it is not ready yet.

    `code` is the server's reason when processing failed (the engine's code, e.g. `ragged_rows`),
    `dataset_processing` for a dataset that is still being processed; `dataset` is the dataset.
    """

    default_code = "dataset_error"

    def __init__(self, detail: str | None = None, *, dataset: Dataset | None = None, **kwargs: Any):
        self.dataset = dataset
        super().__init__(detail, **kwargs)

    def _suffix(self) -> str:
        suffix = super()._suffix()
        if self.dataset is None:
            return suffix
        where = f"dataset {self.dataset.id}"
        return f"{where}; {suffix}" if suffix else where


class ChecksumMismatch(TunebenchError):
    """A downloaded file's SHA-256 is not the one the server announced; nothing was kept."""

    default_code = "checksum_mismatch"


class WaitTimeout(TunebenchError):
    """A dataset was still processing when `wait_for_dataset`'s timeout ran out."""

    default_code = "wait_timeout"


@dataclass(frozen=True)
class UserRef:
    """A user as other objects refer to one."""

    id: int
    username: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UserRef:
        return cls(id=data["id"], username=data["username"])


@dataclass(frozen=True)
class TeamRef:
    """A team as other objects refer to one."""

    id: int
    slug: str
    name: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TeamRef:
        return cls(id=data["id"], slug=data["slug"], name=data["name"])


@dataclass(frozen=True)
class DatasetFailure:
    """Why processing failed: the engine's stable `code` and a message a person can act on."""

    code: str
    message: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DatasetFailure:
        return cls(code=data["code"], message=data["message"])


@dataclass(frozen=True)
class DatasetFile:
    """One stored file of a dataset; `url` is its download path (None for the original upload)."""

    size: int
    md5: str
    sha256: str
    url: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DatasetFile:
        return cls(size=data["size"], md5=data["md5"], sha256=data["sha256"], url=data["url"])


@dataclass(frozen=True)
class Dataset:
    """A dataset version, as the server describes it.

    `status` is `processing`, `active`, `error` (see `error`) or `deactivated`. `qualities` maps
    OpenML quality names to values; `files` maps `parquet`/`csv`/`arff`/`original` to the stored
    files. Both are complete only on a single dataset (`get_dataset`), not in lists.
    `client` is the connection the dataset came from, which `get_data` uses (the default
    connection when None); it is left out of `repr` and `==`.
    """

    id: int
    name: str
    version: int
    status: str
    error: DatasetFailure | None
    format: str
    visibility: str
    team: TeamRef | None
    uploader: UserRef
    description: str
    licence: str
    citation: str
    collection_date: str
    original_data_url: str
    paper_url: str
    default_target_attribute: str
    row_id_attribute: str
    ignore_attributes: list[str]
    tags: list[str]
    qualities: dict[str, float | None]
    files: dict[str, DatasetFile]
    original_filename: str
    created_at: str
    processed_at: str | None
    client: DatasetsAPI | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any], client: DatasetsAPI | None = None) -> Dataset:
        error, team = data["error"], data["team"]
        return cls(
            id=data["id"],
            name=data["name"],
            version=data["version"],
            status=data["status"],
            error=DatasetFailure.from_json(error) if error else None,
            format=data["format"],
            visibility=data["visibility"],
            team=TeamRef.from_json(team) if team else None,
            uploader=UserRef.from_json(data["uploader"]),
            description=data["description"],
            licence=data["licence"],
            citation=data["citation"],
            collection_date=data["collection_date"],
            original_data_url=data["original_data_url"],
            paper_url=data["paper_url"],
            default_target_attribute=data["default_target_attribute"],
            row_id_attribute=data["row_id_attribute"],
            ignore_attributes=list(data["ignore_attributes"]),
            tags=list(data["tags"]),
            qualities=dict(data["qualities"]),
            files={kind: DatasetFile.from_json(item) for kind, item in data["files"].items()},
            original_filename=data["original_filename"],
            created_at=data["created_at"],
            processed_at=data["processed_at"],
            client=client,
        )

    def get_data(
        self,
        target: str | None = None,
        *,
        include_row_id: bool = False,
        include_ignore_attributes: bool = False,
        progress: bool | None = None,
    ) -> pd.DataFrame | tuple[pd.DataFrame, pd.Series]:
        """The data as a DataFrame, or `(X, y)` when `target` names a column.

        As in openml-python, the row id column and the ignored columns are left out unless asked
        for; use `target=dataset.default_target_attribute` for the dataset's own target. The
        Parquet file is downloaded once and then read from the cache (see `cache_dir`).
        """
        return self._api()._dataset_data(
            self,
            target,
            include_row_id=include_row_id,
            include_ignore_attributes=include_ignore_attributes,
            progress=progress,
        )

    def _api(self) -> DatasetsAPI:
        if self.client is not None:
            return self.client
        from tunebench.client import default_client  # client.py imports this module

        return default_client()


def cache_dir() -> Path:
    """Where downloads are kept: `$TUNEBENCH_CACHE_DIR`, else `$XDG_CACHE_HOME/tunebench`, else
    `~/.cache/tunebench`. Datasets go to `datasets/<sha256>.parquet` inside it."""
    explicit = os.environ.get(ENV_CACHE_DIR)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # As for the config file, a relative XDG value is ignored (XDG spec).
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "tunebench"


def format_quality_range(value: Any) -> str:
    """A quality filter as the server reads it: `(1000, 10000)` → `1000..10000`, `(None, 0)` →
    `..0`, `(10, None)` → `10..`, `2` → `2`; a string is sent as it is."""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise ValueError(f"A quality range is (min, max), got {value!r}.")
        low, high = value
        if low is None and high is None:
            raise ValueError(
                "A quality range needs a bound: (min, max), (min, None) or (None, max)."
            )
        return (
            ("" if low is None else _number(low)) + ".." + ("" if high is None else _number(high))
        )
    return _number(value)


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"A quality bound must be a number, got {value!r}.")
    if isinstance(value, numbers.Integral):
        return str(int(value))
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"A quality bound must be finite, got {value!r}.")
    return repr(number)  # repr round-trips exactly; "{:g}" would keep only 6 digits


def _dataset_path(dataset_id: int, suffix: str = "") -> str:
    # operator.index refuses strings, so no id can smuggle a path ("5/../../teams") into the URL.
    return f"datasets/{operator.index(dataset_id)}/{suffix}"


def _names(value: str | Iterable[str]) -> list[str]:
    """A list of column names or tags; one string is one name, not its characters."""
    return [value] if isinstance(value, str) else [str(item) for item in value]


def _team_id(team: Any) -> int:
    """A team's id from an int or from anything with an integer `id` (`Team`, `TeamRef`, ...)."""
    if isinstance(team, bool):
        raise TypeError("team must be a team id or a Team.")
    if isinstance(team, numbers.Integral):
        return int(team)
    team_id = getattr(team, "id", None)
    if isinstance(team_id, int) and not isinstance(team_id, bool):
        return team_id
    raise TypeError(f"team must be a team id or a Team, got {team!r}.")


def _show_progress(progress: bool | None) -> bool:
    """An explicit choice, else a bar only when a person watches stderr."""
    if progress is not None:
        return progress
    stream = sys.stderr
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


def _progress_bar(progress: bool | None, **kwargs: Any) -> Any:
    from tqdm import tqdm  # lazily: see the module docstring

    return tqdm(file=sys.stderr, disable=not _show_progress(progress), **kwargs)


def _file_stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._")
    return stem[:100] or "dataset"


def _sha256_of(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class _MultipartBody:
    """A multipart/form-data body that reads the file while it is sent, never all at once.

    requests' own `files=` builds the whole body in memory; this object has a length (so
    requests sends `Content-Length`, which the server's upload cap reads) and a `read`, which
    urllib3 calls block by block. `on_read` sees the byte count of every block (progress bars).
    """

    def __init__(
        self,
        fields: list[tuple[str, str]],
        *,
        file_field: str,
        filename: str,
        file: BinaryIO,
        size: int,
        on_read: Callable[[int], object] = lambda n: None,
    ) -> None:
        self.boundary = choose_boundary()
        self.content_type = f"multipart/form-data; boundary={self.boundary}"
        head = io.BytesIO()
        for name, value in fields:
            head.write(self._part_headers(RequestField(name, value)))
            head.write(value.encode("utf-8") + b"\r\n")
        part = RequestField(file_field, b"", filename=filename)
        head.write(self._part_headers(part, content_type="application/octet-stream"))
        tail = f"\r\n--{self.boundary}--\r\n".encode("ascii")
        self._length = len(head.getvalue()) + size + len(tail)
        head.seek(0)
        self._parts: list[BinaryIO] = [head, file, io.BytesIO(tail)]
        self._on_read = on_read

    def _part_headers(self, part: RequestField, content_type: str | None = None) -> bytes:
        part.make_multipart(content_type=content_type)
        return f"--{self.boundary}\r\n".encode("ascii") + part.render_headers().encode("utf-8")

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1) -> bytes:
        out = bytearray()
        while self._parts and (size < 0 or len(out) < size):
            chunk = self._parts[0].read(-1 if size < 0 else size - len(out))
            if chunk:
                out += chunk
            else:
                self._parts.pop(0)
        self._on_read(len(out))
        return bytes(out)

    def __iter__(self) -> Iterator[bytes]:
        while block := self.read(_CHUNK_BYTES):
            yield block


def _not_ready(dataset: Dataset, kind: str) -> DatasetError:
    """Why a dataset has no `kind` file to download."""
    if dataset.status == "error":
        error = dataset.error or DatasetFailure("processing_failed", "Processing failed.")
        return DatasetError(error.message, code=error.code, dataset=dataset)
    if dataset.status == "processing":
        return DatasetError(
            f"Dataset {dataset.id} is still processing; wait for it with "
            f"wait_for_dataset({dataset.id}).",
            code="dataset_processing",
            dataset=dataset,
        )
    return DatasetError(
        f"Dataset {dataset.id} ({dataset.status}) has no {kind} file.",
        code="dataset_file_missing",
        dataset=dataset,
    )


def download_checked(
    api: APIClient,
    path: str,
    directory: Path,
    *,
    expected_sha256: str,
    what: str,
    label: str,
    progress: bool | None,
) -> tuple[Path, str | None]:
    """Stream `path` into a temporary file in `directory`, checking its SHA-256.

    `what` names the file in messages, `label` on the progress bar.

    Returns the temporary file (the caller renames it) and the server's name for the file.
    The bytes must match both `expected_sha256` and the response's `X-Checksum-SHA256`;
    otherwise the temporary file is removed and `ChecksumMismatch` raised. Datasets and task
    splits both download through here.
    """
    response = api._send("GET", path, stream=True)
    with response:
        announced = (response.headers.get("X-Checksum-SHA256") or "").strip().lower()
        length = response.headers.get("Content-Length", "")
        fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=".download-", suffix=".part")
        tmp = Path(tmp_name)
        try:
            digest = hashlib.sha256()
            with (
                os.fdopen(fd, "wb") as fh,
                _progress_bar(
                    progress,
                    total=int(length) if length.isdigit() else None,
                    desc=label,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                ) as bar,
            ):
                try:
                    for chunk in response.iter_content(_CHUNK_BYTES):
                        fh.write(chunk)
                        digest.update(chunk)
                        bar.update(len(chunk))
                except requests.RequestException as exc:
                    raise ConnectionFailed(
                        f"The connection to {api.url} broke while downloading {what} "
                        f"({api._reason(exc)}); try again."
                    ) from exc
            actual, expected = digest.hexdigest(), expected_sha256.lower()
            for claimed, source in [
                (expected, f"the server lists {expected}"),
                (announced, f"the server sent X-Checksum-SHA256 {announced}"),
            ]:
                if claimed and actual != claimed:
                    raise ChecksumMismatch(
                        f"The SHA-256 of {what} is {actual}, but {source}; the download was "
                        "discarded. Try again, and report it if it happens again."
                    )
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp, _attachment_name(response)


def cached_download(
    api: APIClient,
    path: str,
    *,
    sha256: str,
    folder: str,
    what: str,
    label: str,
    progress: bool | None,
) -> Path:
    """The file at `path`, kept in the cache as `<cache>/<folder>/<sha256>.parquet`.

    A cached copy whose bytes still have that checksum is used as it is; otherwise the file
    is downloaded (and checked) again and moved into place atomically.
    """
    sha256 = sha256.lower()
    if not _SHA256.match(sha256):  # it names a file: never let the server pick a path
        raise TunebenchError(
            f"The server lists an invalid checksum {sha256!r} for {what}.",
            code="invalid_response",
        )
    target = cache_dir() / folder / f"{sha256}.parquet"
    if target.is_file() and _sha256_of(target) == sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp, _ = download_checked(
        api,
        path,
        target.parent,
        expected_sha256=sha256,
        what=what,
        label=label,
        progress=progress,
    )
    os.replace(tmp, target)  # replaces a damaged copy; atomic, so readers never see half a file
    return target


def _attachment_name(response: requests.Response) -> str | None:
    """The file name the server suggests, reduced to a plain name that cannot leave a directory."""
    header = response.headers.get("Content-Disposition")
    if not header:
        return None
    message = Message()
    message["Content-Disposition"] = header
    name = message.get_filename()
    if not name:
        return None
    name = Path(name.replace("\\", "/")).name
    return name if name and not name.startswith(".") else None


def _select_columns(
    frame: pd.DataFrame,
    dataset: Dataset,
    target: str | None,
    *,
    include_row_id: bool,
    include_ignore_attributes: bool,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.Series]:
    drop = []
    if not include_row_id and dataset.row_id_attribute:
        drop.append(dataset.row_id_attribute)
    if not include_ignore_attributes:
        drop.extend(dataset.ignore_attributes)
    drop = [column for column in drop if column in frame.columns and column != target]
    if target is None:
        return frame.drop(columns=drop)
    if target not in frame.columns:
        raise ValueError(
            f"Dataset {dataset.id} has no column {target!r}; "
            f"its columns are {', '.join(map(str, frame.columns))}."
        )
    return frame.drop(columns=[target, *drop]), frame[target]


class DatasetsAPI(APIClient):
    """The dataset calls of `tunebench.Client`."""

    # -- upload ----------------------------------------------------------------------------------

    def upload_dataset(
        self,
        data: pd.DataFrame | str | os.PathLike[str],
        *,
        name: str,
        description: str = "",
        default_target_attribute: str | None = None,
        row_id_attribute: str | None = None,
        ignore_attributes: str | Iterable[str] = (),
        tags: str | Iterable[str] = (),
        visibility: str | None = None,
        team: Any = None,
        licence: str = "",
        citation: str = "",
        collection_date: str = "",
        original_data_url: str = "",
        paper_url: str = "",
        wait: bool = False,
        timeout: float | None = 600,
        progress: bool | None = None,
    ) -> Dataset:
        """Upload a DataFrame or a CSV, ARFF or Parquet file; a name that exists gets a new version.

        A DataFrame is written to Parquet first (its index is dropped: `reset_index()` keeps it).
        `team` (an id or a `Team`) shares the dataset with that team; `visibility` defaults to
        `team` then, else `public`. The server answers at once with the dataset `processing`;
        `wait=True` waits up to `timeout` seconds for it to be `active` (see `wait_for_dataset`).
        """
        team_id = _team_id(team) if team is not None else None
        if visibility is None:
            visibility = "team" if team_id is not None else "public"
        # Checked here as well as on the server, so a mistake costs no upload.
        if (visibility == "team") != (team_id is not None):
            raise ValueError(
                "visibility='team' needs team=..., and team=... needs visibility='team'."
            )
        fields = [("name", name), ("visibility", visibility)]
        optional = [
            ("description", description),
            ("licence", licence),
            ("citation", citation),
            ("collection_date", collection_date),
            ("original_data_url", original_data_url),
            ("paper_url", paper_url),
            ("default_target_attribute", default_target_attribute or ""),
            ("row_id_attribute", row_id_attribute or ""),
        ]
        fields += [(key, value) for key, value in optional if value]
        fields += [("ignore_attributes", column) for column in _names(ignore_attributes)]
        fields += [("tags", tag) for tag in _names(tags)]
        if team_id is not None:
            fields.append(("team_id", str(team_id)))

        from tunebench import engine  # lazily: see the module docstring

        with ExitStack() as stack:
            if isinstance(data, str | os.PathLike):
                path = Path(os.fspath(data))
                checksums = engine.file_checksums(path)
            else:
                import pandas as pd  # lazily: see the module docstring

                if not isinstance(data, pd.DataFrame):
                    raise TypeError(
                        "data must be a pandas DataFrame or a file path, "
                        f"not {type(data).__name__}."
                    )
                folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="tunebench-"))
                path = Path(folder) / f"{_file_stem(name)}.parquet"
                # pyarrow's from_pandas without the index, as describe_dataframe converts it
                checksums = engine.write_parquet(engine.dataframe_to_table(data), path)
            fields += [("md5_checksum", checksums.md5), ("sha256_checksum", checksums.sha256)]
            fh = stack.enter_context(path.open("rb"))
            size = os.fstat(fh.fileno()).st_size
            bar = stack.enter_context(
                _progress_bar(
                    progress,
                    total=None,
                    desc=f"Uploading {path.name}",
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                )
            )
            body = _MultipartBody(
                fields,
                file_field="file",
                filename=path.name,
                file=fh,
                size=size,
                on_read=bar.update,
            )
            bar.total = len(body)
            response = self._send(
                "POST", "datasets/", data=body, headers={"Content-Type": body.content_type}
            )
        dataset = parse_response(
            partial(Dataset.from_json, client=self), self._decode(response), "datasets/"
        )
        if wait:
            return self.wait_for_dataset(dataset.id, timeout=timeout, progress=progress)
        return dataset

    def wait_for_dataset(
        self,
        dataset_id: int,
        *,
        timeout: float | None = 600,
        poll_interval: float = 2.0,
        progress: bool | None = None,
    ) -> Dataset:
        """Poll until the dataset is no longer `processing`, and return it.

        Raises `DatasetError` (with the server's code, e.g. `ragged_rows`) when processing failed,
        `WaitTimeout` after `timeout` seconds (None: no limit). Polls quickly at first, then every
        `poll_interval` seconds. A spinner shows on stderr when it is a terminal (or `progress`).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = min(0.25, poll_interval)
        with _progress_bar(
            progress, total=None, desc=f"Dataset {dataset_id}", bar_format="{desc} [{elapsed}]"
        ) as bar:
            while True:
                dataset = self.get_dataset(dataset_id)
                bar.set_description_str(f"Dataset {dataset.id}: {dataset.status}")
                if dataset.status == "error":
                    raise _not_ready(dataset, "parquet")
                if dataset.status != "processing":
                    return dataset
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise WaitTimeout(
                        f"Dataset {dataset.id} is still processing after {timeout:g} s; "
                        f"call wait_for_dataset({dataset.id}) to wait longer."
                    )
                time.sleep(delay if remaining is None else min(delay, remaining))
                delay = min(delay * 2, poll_interval)

    # -- read ------------------------------------------------------------------------------------

    def get_dataset(self, dataset_id: int) -> Dataset:
        """A dataset's description (all qualities and files); its data is `get_data()`."""
        path = _dataset_path(dataset_id)
        return parse_response(partial(Dataset.from_json, client=self), self.get(path), path)

    def get_dataset_data(
        self,
        dataset_id: int,
        target: str | None = None,
        *,
        include_row_id: bool = False,
        include_ignore_attributes: bool = False,
        progress: bool | None = None,
    ) -> pd.DataFrame | tuple[pd.DataFrame, pd.Series]:
        """`get_dataset(dataset_id).get_data(...)`: the data, or `(X, y)` when `target` is given."""
        return self._dataset_data(
            self.get_dataset(dataset_id),
            target,
            include_row_id=include_row_id,
            include_ignore_attributes=include_ignore_attributes,
            progress=progress,
        )

    def _dataset_data(
        self,
        dataset: Dataset,
        target: str | None = None,
        *,
        include_row_id: bool = False,
        include_ignore_attributes: bool = False,
        progress: bool | None = None,
    ) -> pd.DataFrame | tuple[pd.DataFrame, pd.Series]:
        """The data of a `Dataset` already fetched; what `Dataset.get_data` calls."""
        import pyarrow.parquet as pq  # lazily: see the module docstring

        from tunebench import engine

        if "parquet" not in dataset.files:  # e.g. the processing dataset upload_dataset returned
            dataset = self.get_dataset(dataset.id)
        path = self._cached_parquet(dataset, progress=progress)
        frame = engine.table_to_dataframe(pq.read_table(path))
        return _select_columns(
            frame,
            dataset,
            target,
            include_row_id=include_row_id,
            include_ignore_attributes=include_ignore_attributes,
        )

    def download_dataset(
        self,
        dataset_id: int,
        path: str | os.PathLike[str] | None = None,
        *,
        format: str = "parquet",
        progress: bool | None = None,
    ) -> Path:
        """Save the data as `format` (parquet, csv or arff) to `path` and return where it went.

        `path` may be a file or an existing directory; by default the current directory, under
        the server's name for the file (`<name>-v<version>.<ext>`). An existing file is replaced,
        only once the download is complete and its SHA-256 checked.
        """
        if format not in DOWNLOAD_FORMATS:
            raise ValueError(f"format must be one of {', '.join(DOWNLOAD_FORMATS)}.")
        dataset = self.get_dataset(dataset_id)
        stored = dataset.files.get(format)
        if stored is None:
            raise _not_ready(dataset, format)
        target = Path(path) if path is not None else Path.cwd()
        directory = target if target.is_dir() else target.parent
        tmp, suggested = self._fetch(
            dataset.id, format, directory, expected_sha256=stored.sha256, progress=progress
        )
        if target.is_dir():
            target = target / (suggested or f"dataset-{dataset.id}.{format}")
        try:
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return target

    def list_datasets(
        self,
        *,
        limit: int | None = None,
        offset: int = 0,
        status: str | None = None,
        name: str | None = None,
        tag: str | None = None,
        uploader: str | None = None,
        format: str | None = None,
        visibility: str | None = None,
        team: Any = None,
        ordering: str | None = None,
        **qualities: Any,
    ) -> pd.DataFrame:
        """Datasets as a DataFrame, one row each, with the basic qualities as columns.

        Filters: `status` (`active` when None; `all` for every status), `name` (part of it, any
        case), `tag`, `uploader` (username), `format`, `visibility`, `team` (id or `Team`),
        `ordering` (`id`, `name`, `version`, `created_at` or a quality; `-` for descending), and
        any quality as a keyword: `NumberOfInstances=(1000, 10000)`, `NumberOfClasses=2`,
        `NumberOfMissingValues=(None, 0)` or the server's own `"1000..10000"`. Every page is read
        unless `limit` is given.
        """
        import pandas as pd  # lazily: see the module docstring

        params: dict[str, Any] = {
            key: value
            for key, value in {
                "status": status,
                "name": name,
                "tag": tag,
                "uploader": uploader,
                "format": format,
                "visibility": visibility,
                "team": _team_id(team) if team is not None else None,
                "ordering": ordering,
            }.items()
            if value is not None
        }
        params.update({key: format_quality_range(value) for key, value in qualities.items()})
        rows = [
            parse_response(_list_row, item, "datasets/")
            for item in self.paginate("datasets/", params=params, limit=limit, offset=offset)
        ]
        known = {*LIST_COLUMNS, *BASIC_QUALITIES}
        extra = sorted({key for row in rows for key in row} - known)
        quality_columns = [*BASIC_QUALITIES, *extra]
        frame = pd.DataFrame(rows, columns=[*LIST_COLUMNS, *quality_columns])
        return frame.astype(dict.fromkeys(quality_columns, "float64"))

    def get_dataset_features(self, dataset_id: int) -> pd.DataFrame:
        """The dataset's features (columns), one row each, in column order."""
        import pandas as pd  # lazily: see the module docstring

        path = _dataset_path(dataset_id, "features/")
        return pd.DataFrame(list(self.paginate(path)), columns=list(FEATURE_COLUMNS))

    def get_dataset_qualities(self, dataset_id: int) -> dict[str, float | None]:
        """All the dataset's qualities (OpenML names, e.g. `NumberOfInstances`)."""
        path = _dataset_path(dataset_id, "qualities/")
        qualities = self.get(path)
        if not isinstance(qualities, dict):
            raise TunebenchError(
                f"Expected an object from /api/v1/{path}.", code="invalid_response"
            )
        return qualities

    # -- change ----------------------------------------------------------------------------------

    def edit_dataset(
        self,
        dataset_id: int,
        *,
        description: str | None = None,
        licence: str | None = None,
        citation: str | None = None,
        collection_date: str | None = None,
        original_data_url: str | None = None,
        paper_url: str | None = None,
        default_target_attribute: str | None = None,
        row_id_attribute: str | None = None,
        ignore_attributes: str | Iterable[str] | None = None,
        tags: str | Iterable[str] | None = None,
    ) -> Dataset:
        """Change the given metadata fields (None leaves a field as it is; "" clears it).

        The target, row id and ignored columns can be changed in place only while the
        dataset's ingestion has failed; a processed version's files never change (the
        server answers 409 `dataset_version_frozen`): use `new_dataset_version` instead.
        """
        given = {
            "description": description,
            "licence": licence,
            "citation": citation,
            "collection_date": collection_date,
            "original_data_url": original_data_url,
            "paper_url": paper_url,
            "default_target_attribute": default_target_attribute,
            "row_id_attribute": row_id_attribute,
            "ignore_attributes": None if ignore_attributes is None else _names(ignore_attributes),
            "tags": None if tags is None else _names(tags),
        }
        payload = {key: value for key, value in given.items() if value is not None}
        if not payload:
            raise ValueError(f"Nothing to change: give one of {', '.join(EDITABLE_FIELDS)}.")
        path = _dataset_path(dataset_id)
        body = self.request("PATCH", path, json=payload)
        return parse_response(partial(Dataset.from_json, client=self), body, path)

    def new_dataset_version(
        self,
        dataset_id: int,
        *,
        default_target_attribute: str | None = None,
        row_id_attribute: str | None = None,
        ignore_attributes: str | Iterable[str] | None = None,
    ) -> Dataset:
        """The next version of a dataset (uploader): the same file and metadata with another
        target, row id or ignored columns. The source version stays exactly as it was."""
        given = {
            "default_target_attribute": default_target_attribute,
            "row_id_attribute": row_id_attribute,
            "ignore_attributes": None if ignore_attributes is None else _names(ignore_attributes),
        }
        payload = {key: value for key, value in given.items() if value is not None}
        if not payload:
            raise ValueError(
                "Give default_target_attribute, row_id_attribute or ignore_attributes."
            )
        path = _dataset_path(dataset_id, "new-version/")
        body = self.request("POST", path, json=payload)
        return parse_response(partial(Dataset.from_json, client=self), body, path)

    def deactivate_dataset(self, dataset_id: int) -> Dataset:
        """Hide the dataset from lists (uploader or moderator); its data stays downloadable."""
        path = _dataset_path(dataset_id, "deactivate/")
        return parse_response(partial(Dataset.from_json, client=self), self.post(path), path)

    def reactivate_dataset(self, dataset_id: int) -> Dataset:
        """Undo `deactivate_dataset`."""
        path = _dataset_path(dataset_id, "reactivate/")
        return parse_response(partial(Dataset.from_json, client=self), self.post(path), path)

    def delete_dataset(self, dataset_id: int) -> None:
        """Delete a dataset version (uploader), possible only while nothing refers to it."""
        self.delete(_dataset_path(dataset_id))

    # -- transfer --------------------------------------------------------------------------------

    def _cached_parquet(self, dataset: Dataset, *, progress: bool | None) -> Path:
        """The dataset's Parquet file in the cache, downloaded unless a sound copy is there."""
        stored = dataset.files.get("parquet")
        if stored is None:
            raise _not_ready(dataset, "parquet")
        return cached_download(
            self,
            _dataset_path(dataset.id, "download/parquet/"),
            sha256=stored.sha256,
            folder="datasets",
            what=f"the Parquet file of dataset {dataset.id}",
            label=f"Dataset {dataset.id} (parquet)",
            progress=progress,
        )

    def _fetch(
        self,
        dataset_id: int,
        kind: str,
        directory: Path,
        *,
        expected_sha256: str,
        progress: bool | None,
    ) -> tuple[Path, str | None]:
        """Stream one of the dataset's files into a checked temporary file in `directory`."""
        return download_checked(
            self,
            _dataset_path(dataset_id, f"download/{kind}/"),
            directory,
            expected_sha256=expected_sha256,
            what=f"the {kind} file of dataset {dataset_id}",
            label=f"Dataset {dataset_id} ({kind})",
            progress=progress,
        )


def _list_row(item: dict[str, Any]) -> dict[str, Any]:
    team = item["team"]
    return {
        "id": item["id"],
        "name": item["name"],
        "version": item["version"],
        "status": item["status"],
        "format": item["format"],
        "visibility": item["visibility"],
        "uploader": item["uploader"]["username"],
        "team": team["slug"] if team else None,
        "tags": list(item["tags"]),
        "created_at": item["created_at"],
        **item["qualities"],
    }
