"""Fixtures for the client tests: a real HTTP server standing in for Tunebench, and a clean env.

Only the network edge is faked: `FakeServer` is a `ThreadingHTTPServer` on a free local port that
serves the wire format the client is written against (`/api/v1/me/`, paginated `/api/v1/teams/`,
the `/api/v1/datasets/` routes with a real Parquet download and a multipart upload that checks the
file's SHA-256, the `/api/v1/tasks/` routes and `/api/v1/estimation-procedures/`, problem+json
errors, `Authorization: Token` checked), so requests, headers and error
mapping all run for real. Dataset 20 (`data`, `make_task`, `task`) is real data with real splits,
for running models. Tests replace one endpoint's answer with `server.respond(...)`. The
autouse fixture points HOME at `tmp_path` and clears `TUNEBENCH_*` and the XDG variables, so no test
reads or writes a real config or cache.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tunebench
import tunebench.client

API_KEY = "tb_test1234_s3cr3t-value"
PAGE_SIZE = 2  # the fake server's default and maximum `limit`, so three teams span two pages

USER = {
    "id": 1,
    "username": "ada",
    "email": "ada@example.org",
    "date_joined": "2026-11-29T06:00:00Z",
    "teams": [
        {"id": 3, "slug": "lab", "name": "Lab", "role": "owner"},
        {"id": 4, "slug": "ml-group", "name": "ML Group", "role": "member"},
    ],
}
TEAMS = [
    {
        "id": 3,
        "slug": "lab",
        "name": "Lab",
        "description": "",
        "member_count": 2,
        "created_at": "2026-11-29T06:00:00Z",
    },
    {
        "id": 4,
        "slug": "ml-group",
        "name": "ML Group",
        "description": "Machine learning",
        "member_count": 12,
        "created_at": "2026-11-29T07:00:00Z",
    },
    {
        "id": 5,
        "slug": "x",
        "name": "Extended Research Team",
        "description": "",
        "member_count": 1,
        "created_at": "2026-11-29T08:00:00Z",
    },
]


def _parquet_bytes() -> bytes:
    """A small dataset as the server stores it: Parquet, nominal columns dictionary-encoded."""
    table = pa.table(
        {
            "row_id": pa.array([1, 2, 3], pa.int64()),
            "sepal": pa.array([5.1, 4.9, 6.2], pa.float64()),
            "colour": pa.array(["red", None, "blue"]).dictionary_encode(),
            "junk": pa.array(["x", "y", "z"]),
            "class": pa.array(["a", "b", "a"]).dictionary_encode(),
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


PARQUET = _parquet_bytes()
CSV = b"row_id,sepal,colour,junk,class\n1,5.1,red,x,a\n2,4.9,,y,b\n3,6.2,blue,z,a\n"
BASIC_QUALITIES = {
    "NumberOfClasses": 2.0,
    "NumberOfFeatures": 5.0,
    "NumberOfInstances": 3.0,
    "NumberOfMissingValues": 1.0,
}


def file_json(dataset_id: int, kind: str, content: bytes) -> dict[str, Any]:
    return {
        "size": len(content),
        "md5": hashlib.md5(content, usedforsecurity=False).hexdigest(),
        "sha256": hashlib.sha256(content).hexdigest(),
        "url": f"/api/v1/datasets/{dataset_id}/download/{kind}/",
    }


def dataset_json(dataset_id: int = 7, **changes: Any) -> dict[str, Any]:
    """A dataset as `GET /api/v1/datasets/{id}/` returns it: dataset 7 is an active iris."""
    data = {
        "id": dataset_id,
        "name": "iris",
        "version": 1,
        "status": "active",
        "error": None,
        "format": "csv",
        "visibility": "public",
        "team": None,
        "uploader": {"id": 1, "username": "ada"},
        "description": "Fisher's irises, abridged.",
        "licence": "CC-BY-4.0",
        "citation": "",
        "collection_date": "1936",
        "original_data_url": "",
        "paper_url": "",
        "default_target_attribute": "class",
        "row_id_attribute": "row_id",
        "ignore_attributes": ["junk"],
        "tags": ["flowers"],
        "qualities": {**BASIC_QUALITIES, "MajorityClassSize": 2.0},
        "files": {
            "parquet": file_json(dataset_id, "parquet", PARQUET),
            "csv": file_json(dataset_id, "csv", CSV),
            "original": {**file_json(dataset_id, "original", CSV), "url": None},
        },
        "original_filename": "iris.csv",
        "created_at": "2026-12-01T10:00:00Z",
        "processed_at": "2026-12-01T10:00:02Z",
    }
    data.update(changes)
    return data


FEATURES = [
    {
        "index": index,
        "name": name,
        "data_type": data_type,
        "nominal_values": values,
        "missing_count": missing,
        "distinct_count": distinct,
        "is_target": name == "class",
        "is_row_id": name == "row_id",
        "is_ignored": name == "junk",
        "stats": {},
    }
    for index, (name, data_type, values, missing, distinct) in enumerate(
        [
            ("row_id", "numeric", [], 0, 3),
            ("sepal", "numeric", [], 0, 3),
            ("colour", "nominal", ["red", "blue"], 1, 2),
            ("junk", "string", [], 0, 3),
            ("class", "nominal", ["a", "b"], 0, 2),
        ]
    )
]


def task_json(task_id: int, dataset: dict[str, Any], payload: dict[str, Any], **changes: Any):
    """A task as `GET /api/v1/tasks/{id}/` returns it, defined by a `POST /api/v1/tasks/` body."""
    from tunebench import engine

    procedure = engine.PROCEDURES[payload["estimation_procedure"]]
    classification = payload["task_type"] == "classification"
    data = {
        "id": task_id,
        "dataset": {k: dataset[k] for k in ("id", "name", "version")},
        "task_type": payload["task_type"],
        "task_type_id": 1 if classification else 2,
        "target": payload["target"],
        "estimation_procedure": procedure_json(procedure),
        "seed": payload.get("seed", 0),
        "evaluation_measure": payload.get("evaluation_measure")
        or ("predictive_accuracy" if classification else "root_mean_squared_error"),
        "class_labels": None,
        "status": "processing",
        "error": None,
        "splits": {},
        "creator": {"id": 1, "username": "ada"},
        "created_at": "2026-12-02T10:00:00Z",
    }
    data.update(changes)
    return data


def procedure_json(procedure: Any) -> dict[str, Any]:
    return {
        "id": procedure.id,
        "name": procedure.name,
        "task_type": "classification" if procedure.task_type == 1 else "regression",
        "kind": procedure.kind,
        "repeats": procedure.repeats,
        "folds": procedure.folds,
        "percentage": procedure.percentage,
        "stratified": procedure.stratified,
    }


@dataclass
class Upload:
    """A multipart upload as the fake server received it."""

    fields: dict[str, list[str]]
    filename: str
    content: bytes
    headers: dict[str, str]


def parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, list[str]], list]:
    """Form fields and (name, filename, bytes) files of a multipart/form-data body.

    Strict on purpose (CRLF after every boundary, a closing boundary), so a malformed body fails.
    """
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    assert match, f"no boundary in {content_type!r}"
    delimiter = b"--" + match.group(1).encode()
    chunks = body.split(delimiter)
    assert chunks[0] == b"", "data before the first boundary"
    assert chunks[-1] == b"--\r\n", "no closing boundary"
    fields: dict[str, list[str]] = {}
    files = []
    for chunk in chunks[1:-1]:
        assert chunk.startswith(b"\r\n"), "no CRLF after a boundary"
        assert chunk.endswith(b"\r\n"), "no CRLF before a boundary"
        head, _, data = chunk[2:-2].partition(b"\r\n\r\n")
        disposition = next(
            line for line in head.decode().split("\r\n") if line.lower().startswith("content-disp")
        )
        name = re.search(r'; name="([^"]*)"', disposition).group(1)
        filename = re.search(r'; filename="([^"]*)"', disposition)
        if filename:
            files.append((name, filename.group(1), data))
        else:
            fields.setdefault(name, []).append(data.decode())
    return fields, files


def problem(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """An RFC 9457 problem document as the server sends it."""
    return {
        "type": f"https://tunebench.example.org/problems/{code}",
        "title": detail,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }


@dataclass
class Canned:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]
    delay: float


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""


def _seed_datasets() -> dict[int, dict[str, Any]]:
    return {
        7: dataset_json(7),
        8: dataset_json(8, name="wine", tags=[], team={"id": 3, "slug": "lab", "name": "Lab"}),
        9: dataset_json(9, name="iris", version=2, qualities=dict(BASIC_QUALITIES)),
    }


@dataclass
class FakeServer:
    url: str = ""
    next_base: str | None = None  # site root written into `next` links; defaults to `url`
    canned: dict[tuple[str, str], Canned] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    datasets: dict[int, dict[str, Any]] = field(default_factory=_seed_datasets)
    files: dict[tuple[int, str], bytes] = field(
        default_factory=lambda: {(7, "parquet"): PARQUET, (7, "csv"): CSV}
    )
    # dataset id -> changes applied by successive GETs of it (the last one sticks), so a test can
    # script "processing, processing, active"
    script: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)
    next_id: int = 100
    # tasks by id; `task_files[(id, kind)]` are their splits files, `task_script` as `script`
    tasks: dict[int, dict[str, Any]] = field(default_factory=dict)
    task_files: dict[tuple[int, str], bytes] = field(default_factory=dict)
    task_script: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    next_task_id: int = 1

    def respond(
        self,
        method: str,
        path: str,
        status: int = 200,
        body: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
        delay: float = 0,
    ) -> None:
        """Answer `method path` with this response (JSON `body`, or `raw` bytes) from now on."""
        if raw is None:
            raw = json.dumps(body).encode()
            content_type = content_type or (
                "application/problem+json" if status >= 400 else "application/json"
            )
        self.canned[(method, path)] = Canned(
            status, raw, content_type or "text/plain", headers or {}, delay
        )

    def teams_page(self, query: dict[str, list[str]]) -> dict[str, Any]:
        return self.page("teams/", TEAMS, query)

    def page(self, path: str, items: list[Any], query: dict[str, list[str]]) -> dict[str, Any]:
        limit = min(int(query.get("limit", [PAGE_SIZE])[0]), PAGE_SIZE)
        offset = int(query.get("offset", ["0"])[0])
        end = offset + limit
        return {
            "count": len(items),
            "next": f"{self.next_base or self.url}/api/v1/{path}?limit={limit}&offset={end}"
            if end < len(items)
            else None,
            "previous": None,
            "results": items[offset:end],
        }

    def dataset_route(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes, content_type: str
    ) -> tuple[int, Any, dict[str, str]] | None:
        """The answer to a `/api/v1/datasets/...` request: (status, JSON or bytes, headers)."""
        if path == "/api/v1/datasets/":
            if method == "POST":
                return self.upload(body, content_type)
            listed = [  # lists carry no files and only the basic qualities
                {
                    **data,
                    "files": {},
                    "qualities": {k: data["qualities"].get(k) for k in BASIC_QUALITIES},
                }
                for data in self.datasets.values()
            ]
            return 200, self.page("datasets/", listed, query), {}
        match = re.fullmatch(r"/api/v1/datasets/(\d+)/(.*)", path)
        if not match or int(match.group(1)) not in self.datasets:
            return None
        dataset_id, rest = int(match.group(1)), match.group(2)
        data = self.datasets[dataset_id]
        if (method, rest) == ("GET", ""):
            steps = self.script.get(dataset_id)
            if steps:
                data.update(steps.pop(0) if len(steps) > 1 else steps[0])
            return 200, data, {}
        if (method, rest) == ("PATCH", ""):
            data.update(json.loads(body))
            return 200, data, {}
        if (method, rest) == ("DELETE", ""):
            del self.datasets[dataset_id]
            return 204, b"", {}
        if method == "POST" and rest in ("deactivate/", "reactivate/"):
            data["status"] = "deactivated" if rest == "deactivate/" else "active"
            return 200, data, {}
        if (method, rest) == ("GET", "features/"):
            return 200, self.page(f"datasets/{dataset_id}/features/", FEATURES, query), {}
        if (method, rest) == ("GET", "qualities/"):
            return 200, data["qualities"], {}
        download = re.fullmatch(r"download/(parquet|csv|arff)/", rest)
        if method == "GET" and download and (dataset_id, download.group(1)) in self.files:
            kind = download.group(1)
            content = self.files[(dataset_id, kind)]
            sha256 = hashlib.sha256(content).hexdigest()
            return (
                200,
                content,
                {
                    "Content-Disposition": f'attachment; filename="{data["name"]}-v1.{kind}"',
                    "X-Checksum-SHA256": sha256,
                    "X-Checksum-MD5": hashlib.md5(content, usedforsecurity=False).hexdigest(),
                    "ETag": f'"{sha256}"',
                },
            )
        return None

    def task_route(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> tuple[int, Any, dict[str, str]] | None:
        """The answer to a `/api/v1/tasks/...` or `/api/v1/estimation-procedures/` request."""
        if (method, path) == ("GET", "/api/v1/estimation-procedures/"):
            from tunebench import engine

            return 200, [procedure_json(p) for p in engine.PROCEDURES.values()], {}
        if path == "/api/v1/tasks/" and method == "POST":
            return self.create_task(json.loads(body))
        if path == "/api/v1/tasks/" and method == "GET":
            status = query.get("status", ["active"])[0]
            wanted = {
                "dataset": lambda t: str(t["dataset"]["id"]),
                "task_type": lambda t: t["task_type"],
                "target": lambda t: t["target"],
                "estimation_procedure": lambda t: str(t["estimation_procedure"]["id"]),
            }
            listed = [
                task
                for task in self.tasks.values()
                if status in ("all", task["status"])
                and all(get(task) == query[k][0] for k, get in wanted.items() if k in query)
            ]
            return 200, self.page("tasks/", listed, query), {}
        match = re.fullmatch(r"/api/v1/tasks/(\d+)/(.*)", path)
        if not match or int(match.group(1)) not in self.tasks or method != "GET":
            return None
        task_id, rest = int(match.group(1)), match.group(2)
        data = self.tasks[task_id]
        if rest == "":
            steps = self.task_script.get(task_id)
            if steps:
                data.update(steps.pop(0) if len(steps) > 1 else steps[0])
            return 200, data, {}
        splits = re.fullmatch(r"splits/(parquet|csv|arff)/", rest)
        if splits and (task_id, splits.group(1)) in self.task_files:
            content = self.task_files[(task_id, splits.group(1))]
            sha256 = hashlib.sha256(content).hexdigest()
            return 200, content, {"X-Checksum-SHA256": sha256, "ETag": f'"{sha256}"'}
        if splits:
            return 404, problem(404, "task_splits_missing", "The splits are not ready."), {}
        return None

    def create_task(self, payload: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        """`POST /api/v1/tasks/`: 200 with the task of the same definition, else 201 (processing).

        Class labels come from the dataset's Parquet file: the target's dictionary."""
        dataset = self.datasets.get(payload.get("dataset_id"))
        if dataset is None:
            detail = f"There is no dataset {payload.get('dataset_id')} you can see."
            return 400, problem(400, "unknown_dataset", detail), {}
        key = ("dataset_id", "task_type", "target", "estimation_procedure", "seed")
        for task in self.tasks.values():
            defined = {
                "dataset_id": task["dataset"]["id"],
                "task_type": task["task_type"],
                "target": task["target"],
                "estimation_procedure": task["estimation_procedure"]["id"],
                "seed": task["seed"],
            }
            if all(defined[k] == payload.get(k, 0 if k == "seed" else None) for k in key):
                return 200, task, {}
        labels = None
        content = self.files.get((dataset["id"], "parquet"))
        if payload["task_type"] == "classification" and content is not None:
            column = pq.read_table(io.BytesIO(content), columns=[payload["target"]]).column(0)
            labels = column.combine_chunks().dictionary.to_pylist()
        task_id, self.next_task_id = self.next_task_id, self.next_task_id + 1
        self.tasks[task_id] = task_json(task_id, dataset, payload, class_labels=labels)
        return 201, copy.deepcopy(self.tasks[task_id]), {}

    def upload(self, body: bytes, content_type: str) -> tuple[int, Any, dict[str, str]]:
        """`POST /api/v1/datasets/`: checks the file arrived and matches `sha256_checksum`."""
        fields, files = parse_multipart(body, content_type)
        if [name for name, _, _ in files] != ["file"] or "name" not in fields:
            return 400, problem(400, "invalid", "A file and a name are required."), {}
        _, filename, content = files[0]
        sent = fields.get("sha256_checksum", [""])[0]
        if sent != hashlib.sha256(content).hexdigest():
            return 400, problem(400, "checksum_mismatch", "The file's checksum does not match."), {}
        self.uploads.append(Upload(fields, filename, content, {"Content-Type": content_type}))
        dataset_id, self.next_id = self.next_id, self.next_id + 1
        team_id = fields.get("team_id", [None])[0]
        self.datasets[dataset_id] = dataset_json(
            dataset_id,
            name=fields["name"][0],
            status="processing",
            visibility=fields.get("visibility", ["public"])[0],
            team={"id": int(team_id), "slug": "lab", "name": "Lab"} if team_id else None,
            default_target_attribute=fields.get("default_target_attribute", [""])[0],
            row_id_attribute=fields.get("row_id_attribute", [""])[0],
            ignore_attributes=fields.get("ignore_attributes", []),
            tags=fields.get("tags", []),
            qualities={},
            files={},
            original_filename=filename,
            processed_at=None,
        )
        return 202, copy.deepcopy(self.datasets[dataset_id]), {}


def _handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str]):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: Any) -> None:
            content_type = "application/problem+json" if status >= 400 else "application/json"
            self._send(status, json.dumps(data).encode(), content_type, {})

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            canned = server.canned.get((self.command, parts.path))
            # A canned answer comes before the body is read, as a server refusing an upload would.
            length = 0 if canned else int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            server.requests.append(
                Recorded(self.command, parts.path, query, dict(self.headers), body)
            )
            if canned is not None:
                time.sleep(canned.delay)
                self._send(canned.status, canned.body, canned.content_type, canned.headers)
                return
            if self.headers.get("Authorization") != f"Token {API_KEY}":
                self._json(401, problem(401, "not_authenticated", "Invalid API key."))
                return
            if (self.command, parts.path) == ("GET", "/api/v1/me/"):
                self._json(200, USER)
                return
            if (self.command, parts.path) == ("GET", "/api/v1/teams/"):
                self._json(200, server.teams_page(query))
                return
            content_type = self.headers.get("Content-Type", "")
            answer = server.dataset_route(
                self.command, parts.path, query, body, content_type
            ) or server.task_route(self.command, parts.path, query, body)
            if answer is None:
                self._json(404, problem(404, "not_found", "Not found."))
                return
            status, data, headers = answer
            if isinstance(data, bytes):
                self._send(status, data, "application/octet-stream", headers)
            else:
                self._json(status, data)

        do_GET = do_POST = do_PATCH = do_DELETE = _handle

    return Handler


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out has hung up before a delayed answer: expected, not a failure.
        if isinstance(sys.exception(), ConnectionError):
            return
        super().handle_error(request, client_address)


@pytest.fixture
def server():
    """A running `FakeServer`; `server.url` is its site root."""
    fake = FakeServer()
    httpd = _Server(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    # a short poll interval: shutdown() waits up to one interval, 0.5 s by default, per test
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield fake
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def iris():
    """The fake server's dataset data, for assertions: `iris.parquet`, `iris.csv`,
    `iris.parquet_sha256`, `iris.basic_qualities`, `iris.dataset_json(id, **changes)`."""
    return SimpleNamespace(
        parquet=PARQUET,
        csv=CSV,
        parquet_sha256=hashlib.sha256(PARQUET).hexdigest(),
        basic_qualities=dict(BASIC_QUALITIES),
        dataset_json=dataset_json,
        file_json=file_json,
    )


# -- dataset 20 and its tasks: real data and real splits, for running models -------------------

TOY_ROWS = 40
TOY_LABELS = ["yes", "no", "maybe"]


def _toy_parquet(path: Any) -> tuple[bytes, list[str]]:
    """Dataset 20: 40 rows; `class` is dictionary-encoded over yes, no and maybe, a class no row
    has, so a task's class labels include one the models never see."""
    import numpy as np

    rng = np.random.default_rng(0)
    classes = ["no" if i % 3 == 1 else "yes" for i in range(TOY_ROWS)]  # 27 yes, 13 no
    codes = pa.array([TOY_LABELS.index(c) for c in classes], pa.int32())
    table = pa.table(
        {
            "row_id": pa.array(range(1000, 1000 + TOY_ROWS), pa.int64()),
            "x1": pa.array(rng.normal(size=TOY_ROWS) + np.array([c == "no" for c in classes])),
            "x2": pa.array(["red", "blue"] * (TOY_ROWS // 2)).dictionary_encode(),
            "junk": pa.array([f"j{i}" for i in range(TOY_ROWS)]),
            "class": pa.DictionaryArray.from_arrays(codes, pa.array(TOY_LABELS)),
            "value": pa.array(np.arange(TOY_ROWS) * 0.5),
        }
    )
    pq.write_table(table, path)
    return path.read_bytes(), classes


def splits_file_json(task_id: int, content: bytes) -> dict[str, Any]:
    return {
        "size": len(content),
        "md5": hashlib.md5(content, usedforsecurity=False).hexdigest(),
        "sha256": hashlib.sha256(content).hexdigest(),
        "url": f"/api/v1/tasks/{task_id}/splits/parquet/",
    }


@pytest.fixture
def data(server, iris, tmp_path):
    """Dataset 20 (`toy`; row id `row_id`, `junk` ignored) on the server, and the engine's
    splits for procedures 1 and 7: `data.classes`, `data.splits[p]`, `data.raw[p]` (Parquet)."""
    from tunebench import engine

    content, classes = _toy_parquet(tmp_path / "data.parquet")
    server.datasets[20] = iris.dataset_json(
        20,
        name="toy",
        default_target_attribute="class",
        row_id_attribute="row_id",
        ignore_attributes=["junk"],
        files={"parquet": iris.file_json(20, "parquet", content)},
    )
    server.files[(20, "parquet")] = content
    splits, raw = {}, {}
    for procedure in (1, 7):
        splits[procedure] = engine.generate_splits(
            TOY_ROWS, engine.PROCEDURES[procedure], seed=0, target=pa.array(classes)
        )
        path = tmp_path / f"splits-{procedure}.parquet"
        engine.write_splits_parquet(splits[procedure], path)
        raw[procedure] = path.read_bytes()
    return SimpleNamespace(classes=classes, splits=splits, raw=raw)


@pytest.fixture
def make_task(server, data):
    """`make_task(client, **definition)`: a task on dataset 20 (`create_task`'s arguments),
    made active with the engine's splits, as `get_task` returns it."""

    def make(client: Any, **definition: Any) -> Any:
        created = client.create_task(20, **definition)
        procedure = definition.get("estimation_procedure", 1)
        server.task_files[(created.id, "parquet")] = data.raw[procedure]
        server.tasks[created.id].update(
            status="active",
            splits={"parquet": splits_file_json(created.id, data.raw[procedure])},
        )
        return client.get_task(created.id)

    return make


@pytest.fixture
def task(client, make_task):
    """Task 1: classification of `class` on dataset 20, 10-fold CV, active."""
    return make_task(client, target="class")


@pytest.fixture
def closed_url():
    """The URL of a local port that was free a moment ago, so nothing listens on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def api_key():
    """The one key the fake server accepts."""
    return API_KEY


@pytest.fixture
def client(server):
    """A client for `server` with a valid key."""
    with tunebench.Client(server.url, API_KEY) as api:
        yield api


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No test sees the developer's TUNEBENCH_* variables, config, cache or default connection."""
    for name in (
        "TUNEBENCH_URL",
        "TUNEBENCH_API_KEY",
        "TUNEBENCH_CONFIG",
        "TUNEBENCH_CACHE_DIR",
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
    ):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(tunebench.client, "_default", None)
