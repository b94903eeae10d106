"""Tasks: a dataset, a target and an estimation procedure, with the server's fixed splits.

`Task` mirrors the server's JSON for `/api/v1/tasks/{id}/` field for field; `TasksAPI` adds the
calls to `tunebench.Client`. A task's splits are generated once on the server (status
`processing`, then `active`); the client downloads the Parquet splits file once, checks its
SHA-256 and keeps it in the cache next to the datasets (`<cache>/splits/<sha256>.parquet`).
`Task.evaluate` scores a predictions table locally with the engine, exactly as the server would:
the same validation against the same splits, the same measures.

pandas, pyarrow, numpy and the engine are imported on first use, as in `datasets.py`.
"""

from __future__ import annotations

import numbers
import operator
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tunebench._parsing import parse_response
from tunebench.api import APIClient
from tunebench.datasets import (
    Dataset,
    DatasetFailure,
    DatasetFile,
    UserRef,
    WaitTimeout,
    _progress_bar,
    cached_download,
)
from tunebench.exceptions import TunebenchError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from tunebench.client import Client
    from tunebench.engine import FoldScores, Splits

TASK_TYPES = {"classification": 1, "regression": 2}
LIST_COLUMNS = (
    "id",
    "dataset_id",
    "dataset_name",
    "dataset_version",
    "task_type",
    "target",
    "estimation_procedure",
    "estimation_procedure_name",
    "seed",
    "evaluation_measure",
    "n_classes",
    "status",
    "creator",
    "created_at",
)
PROCEDURE_COLUMNS = (
    "id",
    "name",
    "task_type",
    "kind",
    "repeats",
    "folds",
    "percentage",
    "stratified",
)


class TaskError(TunebenchError):
    """The task cannot be used: generating its splits failed, or they are not ready yet.

    `code` is the server's reason when the task is in status `error`, `task_processing` while its
    splits are being generated, `task_splits_missing` when it has none; `task` is the task.
    """

    default_code = "task_error"

    def __init__(self, detail: str | None = None, *, task: Task | None = None, **kwargs: Any):
        self.task = task
        super().__init__(detail, **kwargs)

    def _suffix(self) -> str:
        suffix = super()._suffix()
        if self.task is None:
            return suffix
        where = f"task {self.task.id}"
        return f"{where}; {suffix}" if suffix else where


@dataclass(frozen=True)
class TaskDatasetRef:
    """The dataset version a task is defined on."""

    id: int
    name: str
    version: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TaskDatasetRef:
        return cls(id=data["id"], name=data["name"], version=data["version"])


@dataclass(frozen=True)
class EstimationProcedure:
    """An OpenML estimation procedure (`id` is OpenML's): `kind` is `crossvalidation`,
    `holdout` or `leaveoneout`; `percentage` is the holdout's test share."""

    id: int
    name: str
    task_type: str
    kind: str
    repeats: int
    folds: int
    percentage: float | None
    stratified: bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EstimationProcedure:
        return cls(
            id=data["id"],
            name=data["name"],
            task_type=data["task_type"],
            kind=data["kind"],
            repeats=data["repeats"],
            folds=data["folds"],
            percentage=data["percentage"],
            stratified=data["stratified"],
        )


@dataclass(frozen=True)
class Task:
    """A task, as the server describes it.

    `task_type` is `classification` or `regression` (`task_type_id` OpenML's 1 or 2);
    `class_labels` are the classes in the order predictions' `confidence.<label>` columns and
    class codes use (None for regression). `status` is `processing` (splits being generated),
    `active` or `error` (see `error`); `splits` maps `parquet`/`csv`/`arff` to the stored files.
    `client` is the connection the task came from (the default connection when None); it is
    left out of `repr` and `==`.
    """

    id: int
    dataset: TaskDatasetRef
    task_type: str
    task_type_id: int
    target: str
    estimation_procedure: EstimationProcedure
    seed: int
    evaluation_measure: str
    class_labels: list[str] | None
    status: str
    error: DatasetFailure | None
    splits: dict[str, DatasetFile]
    creator: UserRef
    created_at: str
    tags: list[str] = field(default_factory=list)
    client: TasksAPI | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any], client: TasksAPI | None = None) -> Task:
        error, labels = data["error"], data["class_labels"]
        return cls(
            id=data["id"],
            dataset=TaskDatasetRef.from_json(data["dataset"]),
            task_type=data["task_type"],
            task_type_id=data["task_type_id"],
            target=data["target"],
            estimation_procedure=EstimationProcedure.from_json(data["estimation_procedure"]),
            seed=data["seed"],
            evaluation_measure=data["evaluation_measure"],
            class_labels=None if labels is None else [str(label) for label in labels],
            status=data["status"],
            error=DatasetFailure.from_json(error) if error else None,
            splits={kind: DatasetFile.from_json(item) for kind, item in data["splits"].items()},
            creator=UserRef.from_json(data["creator"]),
            created_at=data["created_at"],
            tags=[str(tag) for tag in data.get("tags", [])],
            client=client,
        )

    @property
    def is_classification(self) -> bool:
        return self.task_type_id == TASK_TYPES["classification"]

    def get_dataset(self) -> Dataset:
        """The task's dataset version (its description; the data is `get_X_and_y()`)."""
        return self._api().get_dataset(self.dataset.id)

    def get_X_and_y(self, *, progress: bool | None = None) -> tuple[pd.DataFrame, pd.Series]:
        """`(X, y)`: X without the target, row id and ignored columns, in the dataset's row order
        (the positions the splits index); y is Categorical over `class_labels` for
        classification, float for regression. The data comes from the dataset cache."""
        X, y = self.get_dataset().get_data(target=self.target, progress=progress)
        return X, self._target(y)

    def get_splits(self, *, progress: bool | None = None) -> Splits:
        """The task's splits as the engine's `Splits`, downloaded once and then read from the
        cache (`<cache>/splits/<sha256>.parquet`)."""
        from tunebench import engine  # lazily: see the module docstring

        return engine.read_splits_parquet(self._api()._cached_splits(self, progress=progress))

    def iter_splits(
        self, *, progress: bool | None = None
    ) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
        """`(repeat, fold, train, test)` for every fold: 0-based row positions (int64 arrays)
        into `get_X_and_y()`'s rows, so `X.iloc[train]`."""
        yield from self.get_splits(progress=progress).iter_folds()

    def evaluate(
        self,
        predictions: pd.DataFrame | pa.Table | str | os.PathLike[str],
        *,
        progress: bool | None = None,
    ) -> FoldScores:
        """Score predictions locally with the engine, as the server scores a run.

        `predictions` is OpenML's predictions format (`repeat`, `fold`, `row_id`, `prediction`,
        and optionally `confidence.<label>` for every class) as a DataFrame, a pyarrow Table or
        a Parquet/CSV/ARFF file. It is checked against the task's splits (the engine's
        `PredictionsError` lists every problem) and scored per fold: the result's `mean`, `std`
        and `per_fold[(repeat, fold)]` map measure names (`predictive_accuracy`, ...) to values.
        """
        import pandas as pd
        import pyarrow as pa

        from tunebench import engine

        if isinstance(predictions, str | os.PathLike):
            table = engine.read_predictions(predictions)
        elif isinstance(predictions, pd.DataFrame):
            table = engine.dataframe_to_table(predictions)
        elif isinstance(predictions, pa.Table):
            table = predictions
        else:
            raise TypeError(
                "predictions must be a DataFrame, a pyarrow Table or a file path, "
                f"not {type(predictions).__name__}."
            )
        splits = self.get_splits(progress=progress)
        checked = engine.validate_predictions(
            table, splits, task_type=self.task_type_id, class_labels=self.class_labels
        )
        _, y = self.get_dataset().get_data(target=self.target, progress=progress)
        if len(y) != splits.n_rows:
            raise TaskError(
                f"Dataset {self.dataset.id} has {len(y)} rows but the splits cover "
                f"{splits.n_rows}.",
                code="splits_mismatch",
                task=self,
            )
        # The server's scorer, step for step (tunebench.engine.scoring).
        try:
            y_true = engine.target_values(
                pa.Array.from_pandas(y),
                task_type=self.task_type_id,
                class_labels=self.class_labels,
            )
            return engine.score_predictions(
                checked,
                y_true,
                task_type=self.task_type_id,
                n_classes=len(self.class_labels or ()) if self.is_classification else None,
            )
        except engine.ScoringError as exc:
            raise TaskError(str(exc), code=exc.code, task=self) from None

    # -- helpers ---------------------------------------------------------------------------------

    def _target_codes(self, y: pd.Series) -> np.ndarray:
        """Classification: each row's index in `class_labels`, -1 where missing (as the
        server's scorer compares labels: `engine.target_values`)."""
        import pyarrow as pa

        from tunebench import engine

        try:
            return engine.target_values(
                pa.Array.from_pandas(y), task_type=self.task_type_id, class_labels=self.class_labels
            )
        except engine.ScoringError as exc:
            raise TaskError(str(exc), code=exc.code, task=self) from None

    def _target(self, y: pd.Series) -> pd.Series:
        import pandas as pd

        if self.is_classification:
            categorical = pd.Categorical.from_codes(
                self._target_codes(y), categories=self.class_labels or []
            )
            return pd.Series(categorical, index=y.index, name=y.name)
        return pd.to_numeric(y).astype("float64")

    def _api(self) -> Client:
        if self.client is not None:
            return self.client  # type: ignore[return-value]  # always a Client in practice
        from tunebench.client import default_client  # client.py imports this module

        return default_client()


def _task_path(task_id: int, suffix: str = "") -> str:
    # operator.index refuses strings, so no id can smuggle a path into the URL.
    return f"tasks/{operator.index(task_id)}/{suffix}"


def _id_of(value: Any, name: str) -> int:
    """An id from an int or from anything with an integer `id` (`Dataset`, `Task`, ...)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an id.")
    if isinstance(value, numbers.Integral):
        return int(value)
    found = getattr(value, "id", None)
    if isinstance(found, int) and not isinstance(found, bool):
        return found
    raise TypeError(f"{name} must be an id or have one, got {value!r}.")


def _task_type(value: str | int) -> str:
    if isinstance(value, str) and value.strip().lower() in TASK_TYPES:
        return value.strip().lower()
    if value in (1, 2) and not isinstance(value, bool):
        return "classification" if value == 1 else "regression"
    raise ValueError(f"task_type must be 'classification' or 'regression', got {value!r}.")


def _not_ready(task: Task) -> TaskError:
    if task.status == "error":
        error = task.error or DatasetFailure("splits_failed", "Generating the splits failed.")
        return TaskError(error.message, code=error.code, task=task)
    if task.status == "processing":
        return TaskError(
            f"Task {task.id} is still generating its splits; wait for it with "
            f"wait_for_task({task.id}).",
            code="task_processing",
            task=task,
        )
    return TaskError(
        f"Task {task.id} ({task.status}) has no Parquet splits.",
        code="task_splits_missing",
        task=task,
    )


def _list_row(item: dict[str, Any]) -> dict[str, Any]:
    procedure, labels = item["estimation_procedure"], item["class_labels"]
    return {
        "id": item["id"],
        "dataset_id": item["dataset"]["id"],
        "dataset_name": item["dataset"]["name"],
        "dataset_version": item["dataset"]["version"],
        "task_type": item["task_type"],
        "target": item["target"],
        "estimation_procedure": procedure["id"],
        "estimation_procedure_name": procedure["name"],
        "seed": item["seed"],
        "evaluation_measure": item["evaluation_measure"],
        "n_classes": None if labels is None else len(labels),
        "status": item["status"],
        "creator": item["creator"]["username"],
        "created_at": item["created_at"],
    }


class TasksAPI(APIClient):
    """The task calls of `tunebench.Client`."""

    def create_task(
        self,
        dataset_id: int | Dataset,
        *,
        target: str,
        task_type: str | int = "classification",
        estimation_procedure: int = 1,
        seed: int = 0,
        evaluation_measure: str | None = None,
        tags: Iterable[str] = (),
        wait: bool = False,
        timeout: float | None = 300,
        progress: bool | None = None,
    ) -> Task:
        """Define a task on a dataset, or get the existing task with the same definition.

        `estimation_procedure` is OpenML's id (1: 10-fold crossvalidation for classification,
        7 for regression; see `list_estimation_procedures()`). The server refuses, with a
        `ValidationError` naming the field, a target of the wrong kind or a procedure the data
        cannot support. A new task is `processing` while its splits are generated;
        `wait=True` waits up to `timeout` seconds for it to be `active` (see `wait_for_task`).
        """
        payload: dict[str, Any] = {
            "dataset_id": _id_of(dataset_id, "dataset_id"),
            "task_type": _task_type(task_type),
            "target": target,
            "estimation_procedure": operator.index(estimation_procedure),
            "seed": operator.index(seed),
        }
        if evaluation_measure is not None:
            payload["evaluation_measure"] = evaluation_measure
        if tags:
            payload["tags"] = [str(tag) for tag in tags]
        body = self.post("tasks/", json=payload)
        task = parse_response(partial(Task.from_json, client=self), body, "tasks/")
        if wait and task.status == "processing":
            return self.wait_for_task(task.id, timeout=timeout, progress=progress)
        if wait and task.status == "error":
            raise _not_ready(task)
        return task

    def wait_for_task(
        self,
        task_id: int,
        *,
        timeout: float | None = 300,
        poll_interval: float = 2.0,
        progress: bool | None = None,
    ) -> Task:
        """Poll until the task is no longer `processing`, and return it.

        Raises `TaskError` (with the server's code) when generating the splits failed,
        `WaitTimeout` after `timeout` seconds (None: no limit). Polls quickly at first, then
        every `poll_interval` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = min(0.25, poll_interval)
        with _progress_bar(
            progress, total=None, desc=f"Task {task_id}", bar_format="{desc} [{elapsed}]"
        ) as bar:
            while True:
                task = self.get_task(task_id)
                bar.set_description_str(f"Task {task.id}: {task.status}")
                if task.status == "error":
                    raise _not_ready(task)
                if task.status != "processing":
                    return task
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise WaitTimeout(
                        f"Task {task.id} is still processing after {timeout:g} s; "
                        f"call wait_for_task({task.id}) to wait longer."
                    )
                time.sleep(delay if remaining is None else min(delay, remaining))
                delay = min(delay * 2, poll_interval)

    def get_task(self, task_id: int) -> Task:
        """A task's description; its data is `get_X_and_y()`, its splits `iter_splits()`."""
        path = _task_path(task_id)
        return parse_response(partial(Task.from_json, client=self), self.get(path), path)

    def list_tasks(
        self,
        *,
        limit: int | None = None,
        offset: int = 0,
        dataset: Any = None,
        task_type: str | int | None = None,
        estimation_procedure: int | None = None,
        target: str | None = None,
        tag: str | None = None,
        status: str | None = None,
    ) -> pd.DataFrame:
        """Tasks as a DataFrame, one row each (`LIST_COLUMNS`); every page unless `limit`.

        Filters: `dataset` (id or `Dataset`), `task_type`, `estimation_procedure` (id),
        `target`, `tag`, `status` (`active` when None; `all` for every status).
        """
        import pandas as pd  # lazily: see the module docstring

        given = {
            "dataset": None if dataset is None else _id_of(dataset, "dataset"),
            "task_type": None if task_type is None else _task_type(task_type),
            "estimation_procedure": estimation_procedure,
            "target": target,
            "tag": tag,
            "status": status,
        }
        params = {key: value for key, value in given.items() if value is not None}
        rows = [
            parse_response(_list_row, item, "tasks/")
            for item in self.paginate("tasks/", params=params, limit=limit, offset=offset)
        ]
        frame = pd.DataFrame(rows, columns=list(LIST_COLUMNS))
        return frame.astype({"n_classes": "Int64"})

    def list_estimation_procedures(self, task_type: str | int | None = None) -> pd.DataFrame:
        """The estimation procedures the server supports (OpenML's ids), one row each."""
        import pandas as pd  # lazily: see the module docstring

        params = {} if task_type is None else {"task_type": _task_type(task_type)}
        items = self.get("estimation-procedures/", params=params)
        if not isinstance(items, list):
            raise TunebenchError(
                "Expected a list from /api/v1/estimation-procedures/.", code="invalid_response"
            )
        return pd.DataFrame(items, columns=list(PROCEDURE_COLUMNS))

    # -- transfer --------------------------------------------------------------------------------

    def _cached_splits(self, task: Task, *, progress: bool | None) -> Path:
        """The task's Parquet splits in the cache, downloaded unless a sound copy is there."""
        if "parquet" not in task.splits:  # e.g. the processing task create_task returned
            task = self.get_task(task.id)
        stored = task.splits.get("parquet")
        if stored is None:
            raise _not_ready(task)
        return cached_download(
            self,
            _task_path(task.id, "splits/parquet/"),
            sha256=stored.sha256,
            folder="splits",
            what=f"the splits of task {task.id}",
            label=f"Task {task.id} splits",
            progress=progress,
        )
