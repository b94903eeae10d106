"""Runs: evaluate a model on a task locally, publish the predictions, and read the server's scores.

`run_model_on_task` fits a fresh clone of a scikit-learn model on every training fold of a task's
fixed splits and predicts its test fold, seeding every `random_state` it finds, and returns a
`Run`: the flow (`flow_from_sklearn`), the hyperparameter values, OpenML's predictions table
(`repeat`, `fold`, `row_id`, `prediction`, `confidence.<label>`...), the time each fold took and
the software environment. `run_estimator_on_task` does the same for a configuration of one of
the server's registry estimators, through the server worker's own code
(`tunebench.engine.execute`): with the same library versions, its predictions are exactly a
server run's. `Run.evaluate()` scores a run locally with the engine; `Run.publish()` uploads it
(predictions as Parquet), and the server scores it again itself; `Run.wait()` follows it to
`done` and fills in the server's evaluations. `RunsAPI` adds the calls to `tunebench.Client`:
runs, evaluations, leaderboards and measures.

`Run` mirrors the server's JSON for `/api/v1/runs/{id}/`; unlike the other resources it is
mutable, because publishing and waiting fill in a run the client made. pandas, numpy,
scikit-learn and the engine are imported on first use.
"""

from __future__ import annotations

import importlib.metadata
import json
import operator
import os
import platform
import socket
import tempfile
import time
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from tunebench._parsing import parse_response
from tunebench._version import __version__
from tunebench.api import APIClient
from tunebench.datasets import (
    DatasetFailure,
    TeamRef,
    UserRef,
    WaitTimeout,
    _MultipartBody,
    _names,
    _progress_bar,
    _team_id,
    download_checked,
)
from tunebench.exceptions import TunebenchError, ValidationError
from tunebench.flows import Flow, FlowRef, _is_estimator, flow_from_sklearn
from tunebench.tasks import TASK_TYPES, Task, TaskError, _id_of, _task_type

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from tunebench.client import Client
    from tunebench.engine import FoldScores, Splits

LEADERBOARD_BY = ("person", "team")
MAX_SEED = 2**32 - 1  # the server's and the engine's largest seed
# the libraries whose versions a run records, by distribution name
ENVIRONMENT_LIBRARIES = ("scikit-learn", "numpy", "scipy", "pandas", "pyarrow")
LIST_COLUMNS = (
    "id",
    "task_id",
    "dataset_id",
    "dataset_name",
    "flow_id",
    "flow_name",
    "flow_version",
    "configuration_id",
    "uploader",
    "team",
    "origin",
    "verified",
    "status",
    "queue_position",
    "error_code",
    "seed",
    "evaluation_measure",
    "value",
    "tags",
    "created_at",
    "finished_at",
)
EVALUATION_COLUMNS = (
    "run",
    "task",
    "flow",
    "flow_name",
    "configuration",
    "uploader",
    "team",
    "measure",
    "value",
    "std",
    "created_at",
)
LEADERBOARD_COLUMNS = (
    "rank",
    "person",
    "team",
    "run",
    "flow_id",
    "flow_name",
    "flow_version",
    "configuration",
    "value",
    "std",
    "runs",
    "created_at",
    "verified",
    "seeds_n",
    "seeds_mean",
    "seeds_std",
    "seeds_low",
    "seeds_high",
)
# the members of a leaderboard entry's `seeds` interval, as `seeds_<member>` columns
SEED_INTERVAL_FIELDS = ("n", "mean", "std", "low", "high")
MEASURE_COLUMNS = ("name", "task_type", "higher_is_better", "needs_probabilities", "description")
PER_FOLD_COLUMNS = ("measure", "repeat", "fold", "value")


class RunError(TunebenchError):
    """The server could not score a run: `code` is its reason (the predictions' first problem,
    e.g. `missing_rows`, or why execution failed); `run` is the run."""

    default_code = "run_failed"

    def __init__(self, detail: str | None = None, *, run: Run | None = None, **kwargs: Any):
        self.run = run
        super().__init__(detail, **kwargs)

    def _suffix(self) -> str:
        suffix = super()._suffix()
        if self.run is None or self.run.id is None:
            return suffix
        where = f"run {self.run.id}"
        return f"{where}; {suffix}" if suffix else where


@dataclass(frozen=True)
class RunTaskRef:
    """The task a run is on, as the server's run JSON names it."""

    id: int
    dataset_id: int
    dataset_name: str
    target: str
    evaluation_measure: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunTaskRef:
        return cls(
            id=data["id"],
            dataset_id=data["dataset"]["id"],
            dataset_name=data["dataset"]["name"],
            target=data["target"],
            evaluation_measure=data["evaluation_measure"],
        )


@dataclass(frozen=True)
class PredictionsFile:
    """The predictions file a run was published with, stored as uploaded (`format`)."""

    format: str
    size: int
    md5: str
    sha256: str
    url: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PredictionsFile:
        return cls(
            format=data["format"],
            size=data["size"],
            md5=data["md5"],
            sha256=data["sha256"],
            url=data.get("url"),
        )


@dataclass(eq=False)
class Run:
    """A configuration evaluated on a task: made locally by `run_model_on_task` or
    `run_estimator_on_task`, or read from the server (`get_run`, `Submission.runs`).

    `flow` is the full `Flow` for a local run of a model, None for a local run of a registry
    `estimator` (`run_estimator_on_task`; `estimator` is None otherwise), and a `FlowRef` for a
    run read from the server (`get_flow(run.flow.id)` for the rest); `parameters` are the
    hyperparameter values in the `<component>__<name>` convention (a registry estimator's own
    names); `predictions` is OpenML's predictions DataFrame (None for a run read from the
    server until `get_predictions()`); `fold_timings` holds one
    `{"repeat", "fold", "fit_seconds", "predict_seconds"}` per fold; `environment` the Python,
    platform, host and library versions. The server's fields (`id`, `status`, `error`, ...) are
    None until the run is published. `status` is `queued`, `running` (a server run executing),
    `scoring`, `done` or `failed`; `queue_position` is a waiting server run's 1-based place in
    the server's fair waiting line (None otherwise). `verified` runs were executed by the
    server itself (`origin` `server`); `resources` is their `{"peak_memory_mb", "cpu_seconds",
    "wall_seconds", "memory_limit_mb", "wall_limit_seconds"}` and `verification` the server's
    re-verification record, both None when absent. Once `status` is `done`, `evaluations` maps
    each measure to its value over the folds (None where undefined), `evaluation_std` to its
    standard deviation, and `per_fold` is a DataFrame (`measure`, `repeat`, `fold`, `value`).
    `task` is the `Task` when known and `client` the connection; both are left out of `repr`.
    """

    task_id: int
    flow: Flow | FlowRef | None
    parameters: dict[str, Any] = field(default_factory=dict, repr=False)
    estimator: str | None = None
    seed: int | None = None
    predictions: pd.DataFrame | None = field(default=None, repr=False)
    fold_timings: list[dict[str, Any]] = field(default_factory=list, repr=False)
    environment: dict[str, Any] = field(default_factory=dict, repr=False)
    id: int | None = None
    status: str | None = None
    error: DatasetFailure | None = None
    configuration_id: int | None = None
    url: str | None = field(default=None, repr=False)
    origin: str | None = field(default=None, repr=False)
    verified: bool = field(default=False, repr=False)
    queue_position: int | None = field(default=None, repr=False)
    resources: dict[str, Any] | None = field(default=None, repr=False)
    verification: dict[str, Any] | None = field(default=None, repr=False)
    uploader: UserRef | None = field(default=None, repr=False)
    team: TeamRef | None = field(default=None, repr=False)
    tags: list[str] = field(default_factory=list, repr=False)
    description: str = field(default="", repr=False)
    created_at: str | None = field(default=None, repr=False)
    started_at: str | None = field(default=None, repr=False)
    finished_at: str | None = field(default=None, repr=False)
    predictions_file: PredictionsFile | None = field(default=None, repr=False)
    task_ref: RunTaskRef | None = field(default=None, repr=False)
    evaluations: dict[str, float | None] = field(default_factory=dict, repr=False)
    evaluation_std: dict[str, float | None] = field(default_factory=dict, repr=False)
    per_fold: pd.DataFrame | None = field(default=None, repr=False)
    task: Task | None = field(default=None, repr=False)
    client: RunsAPI | None = field(default=None, repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any], client: RunsAPI | None = None) -> Run:
        configuration = data.get("configuration") or {}
        error, team, uploader = data.get("error"), data.get("team"), data.get("uploader")
        stored, resources = data.get("predictions"), data.get("resources")
        verification = data.get("verification")
        run = cls(
            task_id=data["task"]["id"],
            task_ref=RunTaskRef.from_json(data["task"]),
            flow=FlowRef.from_json(data["flow"]),
            parameters=dict(configuration.get("parameters") or {}),
            configuration_id=configuration.get("id"),
            seed=data.get("seed"),
            fold_timings=list(data.get("fold_timings") or []),
            environment=dict(data.get("environment") or {}),
            id=data["id"],
            url=data.get("url"),
            status=data["status"],
            error=DatasetFailure.from_json(error) if error else None,
            origin=data.get("origin"),
            verified=bool(data.get("verified", False)),
            queue_position=data.get("queue_position"),
            resources=dict(resources) if resources else None,
            verification=dict(verification) if verification else None,
            uploader=UserRef.from_json(uploader) if uploader else None,
            team=TeamRef.from_json(team) if team else None,
            tags=[str(tag) for tag in data.get("tags", [])],
            description=data.get("description") or "",
            created_at=data.get("created_at"),
            started_at=data.get("started_at"),
            finished_at=data.get("finished_at"),
            predictions_file=PredictionsFile.from_json(stored) if stored else None,
            client=client,
        )
        run._set_evaluations(data.get("evaluations") or [])
        return run

    def _set_evaluations(self, items: list[dict[str, Any]]) -> None:
        import pandas as pd  # lazily: see the module docstring

        self.evaluations = {item["measure"]: item["value"] for item in items}
        self.evaluation_std = {item["measure"]: item.get("std") for item in items}
        rows = [
            {
                "measure": item["measure"],
                "repeat": entry["repeat"],
                "fold": entry["fold"],
                "value": entry["value"],
            }
            for item in items
            for entry in item.get("per_fold") or []
        ]
        frame = pd.DataFrame(rows, columns=list(PER_FOLD_COLUMNS))
        self.per_fold = frame.astype({"value": "float64"}) if items else None

    # -- local -----------------------------------------------------------------------------------

    def get_task(self) -> Task:
        """The run's task (fetched once for a run read from the server)."""
        if self.task is None:
            self.task = self._api().get_task(self.task_id)
        return self.task

    def evaluate(self, *, progress: bool | None = None) -> FoldScores:
        """Score the predictions locally with the engine, as the server will (`Task.evaluate`)."""
        return self.get_task().evaluate(self.get_predictions(progress=progress), progress=progress)

    def get_predictions(self, *, progress: bool | None = None) -> pd.DataFrame:
        """The predictions DataFrame; for a run read from the server, downloaded once."""
        if self.predictions is None:
            if self.id is None:
                raise ValueError("This run has no predictions.")
            self.predictions = self._api()._run_predictions(self, progress=progress)
        return self.predictions

    # -- server ----------------------------------------------------------------------------------

    def publish(
        self,
        team: Any = None,
        tags: str | Iterable[str] = (),
        description: str = "",
        *,
        progress: bool | None = None,
    ) -> Run:
        """Upload the run (publishing its flow first when it has no id) and return it, now with
        the server's `id`, `status` (`queued`), `url` and configuration. `team` (an id or a
        `Team`) attributes the run to a team you belong to. Invalid predictions raise
        `ValidationError` with the first problem's code (`missing_rows`, ...)."""
        if self.id is not None:
            raise ValueError(f"Run {self.id} is already published.")
        if self.predictions is None:
            raise ValueError("This run has no predictions to publish.")
        if self.estimator is not None and self.flow is None:
            # A run of the registry's pipeline: published against the server's executable
            # flow for it, so the server can re-execute it (`reverify`).
            self.flow = self._api().get_estimator_flow(self.estimator)
        if not isinstance(self.flow, Flow | FlowRef):
            raise ValueError("This run has no flow; publish_run(..., configuration=...) instead.")
        published = self._api().publish_run(
            self.task if self.task is not None else self.task_id,
            self.predictions,
            flow=self.flow,
            parameters=self.parameters,
            seed=self.seed,
            environment=self.environment or None,
            fold_timings=self.fold_timings or None,
            team=team,
            tags=tags,
            description=description,
            progress=progress,
        )
        self._adopt(published)
        return self

    def reverify(self) -> Run:
        """Have the server execute this published run again (its flow must be executable,
        it must be scored and have a seed) and return the server's run. Once that run is
        done, this run's `verification` (after `refresh()`/`wait()`) says whether the
        predictions match and the difference in every measure."""
        if self.id is None:
            raise ValueError("Publish the run first.")
        server_run = self._api().reverify_run(self.id)
        self.verification = {"run": server_run.id, "status": "pending"}
        return server_run

    def wait(
        self,
        timeout: float | None = 600,
        *,
        poll_interval: float = 2.0,
        progress: bool | None = None,
    ) -> Run:
        """Poll until the server has scored the run, fill in `status`, `evaluations` and
        `per_fold`, and return it. Raises `RunError` (with the server's code and message) when
        the run failed, `WaitTimeout` after `timeout` seconds (None: no limit)."""
        if self.id is None:
            raise ValueError("Publish the run before waiting for it.")
        try:
            fetched = self._api().wait_for_run(
                self.id, timeout=timeout, poll_interval=poll_interval, progress=progress
            )
        except RunError as exc:
            if exc.run is not None:
                self._adopt(exc.run)
                exc.run = self
            raise
        self._adopt(fetched)
        return self

    def _adopt(self, other: Run) -> None:
        """Take the server's fields from `other`, the same run as the server returned it."""
        for name in (
            "id",
            "status",
            "error",
            "configuration_id",
            "url",
            "origin",
            "verified",
            "queue_position",
            "resources",
            "verification",
            "uploader",
            "team",
            "tags",
            "description",
            "created_at",
            "started_at",
            "finished_at",
            "predictions_file",
            "task_ref",
            "evaluations",
            "evaluation_std",
            "per_fold",
        ):
            setattr(self, name, getattr(other, name))
        if other.parameters:
            self.parameters = dict(other.parameters)  # complete, as the server stores them
        # A server run's are the worker's (empty until it ran); an upload's are what was sent.
        if other.environment:
            self.environment = dict(other.environment)
        if other.fold_timings:
            self.fold_timings = list(other.fold_timings)
        if other.seed is not None:
            self.seed = other.seed
        if self.flow is None or isinstance(self.flow, FlowRef):
            self.flow = other.flow
        self.client = other.client or self.client

    def _api(self) -> Client:
        if self.client is not None:
            return self.client  # type: ignore[return-value]  # always a Client in practice
        from tunebench.client import default_client  # client.py imports this module

        return default_client()


# -- running a model ------------------------------------------------------------------------------


def seed_model(model: Any, seed: int) -> Any:
    """A clone of `model` with every `random_state` that is None or an int set to `seed`."""
    from tunebench.engine.folds import seed_model as engine_seed_model

    return engine_seed_model(model, seed)


def capture_environment() -> dict[str, Any]:
    """The Python version, platform, host name and versions of the libraries a run depends on."""
    libraries = {}
    for name in ENVIRONMENT_LIBRARIES:
        try:
            libraries[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    libraries["tunebench"] = __version__
    return {
        "python": platform.python_version(),
        "libraries": libraries,
        "host": socket.gethostname(),
        "platform": platform.platform(),
    }


def _splits_for(task: Task, n_rows: int, *, progress: bool | None) -> Splits:
    """The task's splits, checked to cover the dataset's `n_rows` rows."""
    splits = task.get_splits(progress=progress)
    if splits.n_rows != n_rows:
        raise TaskError(
            f"Dataset {task.dataset.id} has {n_rows} rows but the splits cover {splits.n_rows}.",
            code="splits_mismatch",
            task=task,
        )
    return splits


def _predict_folds(
    model: Any,
    task: Task,
    X: pd.DataFrame,
    y: pd.Series,
    splits: Splits,
    *,
    progress: bool | None,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The engine's `fit_predict_folds` (what a server worker runs too), with a progress bar."""
    from tunebench.engine.folds import fit_predict_folds

    with _progress_bar(
        progress, total=splits.repeats * splits.folds, desc=f"Task {task.id}", unit="fold"
    ) as bar:
        return fit_predict_folds(
            model,
            X,
            y,
            splits,
            task_type=task.task_type_id,
            class_labels=task.class_labels,
            on_fold=lambda _repeat, _fold: bar.update(),
        )


# -- lists ----------------------------------------------------------------------------------------


def _name_of(value: Any, key: str) -> Any:
    """`value[key]` of a nested object (`{"id", "username"}`), or the value itself."""
    return value.get(key) if isinstance(value, dict) else value


def _list_row(item: dict[str, Any]) -> dict[str, Any]:
    task, flow = item["task"], item["flow"]
    configuration, error = item.get("configuration") or {}, item.get("error")
    measure = task.get("evaluation_measure")
    values = {e["measure"]: e["value"] for e in item.get("evaluations") or []}
    return {
        "id": item["id"],
        "task_id": task["id"],
        "dataset_id": task["dataset"]["id"],
        "dataset_name": task["dataset"]["name"],
        "flow_id": flow["id"],
        "flow_name": flow["name"],
        "flow_version": flow["version"],
        "configuration_id": configuration.get("id"),
        "uploader": _name_of(item.get("uploader"), "username"),
        "team": _name_of(item.get("team"), "name"),
        "origin": item.get("origin"),
        "verified": bool(item.get("verified", False)),
        "status": item["status"],
        "queue_position": item.get("queue_position"),
        "error_code": error["code"] if error else None,
        "seed": item.get("seed"),
        "evaluation_measure": measure,
        "value": values.get(measure),
        "tags": list(item.get("tags", [])),
        "created_at": item.get("created_at"),
        "finished_at": item.get("finished_at"),
    }


def _evaluation_row(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "run": item["run"],
        "task": _name_of(item["task"], "id"),
        "flow": _name_of(item["flow"], "id"),
        "flow_name": item.get("flow_name"),
        "configuration": _name_of(item.get("configuration"), "id"),
        "uploader": _name_of(item.get("uploader"), "username"),
        "team": _name_of(item.get("team"), "name"),
        "measure": item["measure"],
        "value": item["value"],
        "std": item.get("std"),
        "created_at": item.get("created_at"),
    }


def _leaderboard_row(item: dict[str, Any]) -> dict[str, Any]:
    flow, seeds = item["flow"], item.get("seeds") or {}
    return {
        "rank": item["rank"],
        "person": _name_of(item.get("person"), "username"),
        "team": _name_of(item.get("team"), "name"),
        "run": item["run"],
        "flow_id": flow["id"],
        "flow_name": flow["name"],
        "flow_version": flow.get("version"),
        "configuration": _name_of(item.get("configuration"), "id"),
        "value": item["value"],
        "std": item.get("std"),
        "runs": item.get("runs"),
        "created_at": item.get("created_at"),
        "verified": bool(item.get("verified", False)),
        **{f"seeds_{name}": seeds.get(name) for name in SEED_INTERVAL_FIELDS},
    }


def _run_path(run_id: int, suffix: str = "") -> str:
    # operator.index refuses strings, so no id can smuggle a path into the URL.
    return f"runs/{operator.index(run_id)}/{suffix}"


def _json_field(value: Any, name: str) -> str:
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be plain JSON (no NaN, no objects): {exc}") from None


def _parameter_error(exc: Any) -> ValidationError:
    """The engine's `ParameterError` as the server reports it: `ValidationError` with the first
    problem's code and every problem under `errors` by field."""
    errors: dict[str, list[dict[str, Any]]] = {}
    for problem in exc.problems:
        errors.setdefault(problem["field"], []).append(
            {"code": problem["code"], "message": problem["message"]}
        )
    return ValidationError(exc.message, code=exc.code, errors=errors, extra={"total": exc.total})


def _state(run: Run) -> str:
    """The run's status for a progress bar, with a waiting run's place in the queue."""
    if run.status == "queued" and run.queue_position is not None:
        return f"queued: position {run.queue_position}"
    return str(run.status)


def _failed(run: Run) -> RunError:
    error = run.error or DatasetFailure("run_failed", "The server could not score the run.")
    return RunError(error.message, code=error.code, run=run)


def _floats(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    return frame.astype(dict.fromkeys(columns, "float64"))


class RunsAPI(APIClient):
    """The run, evaluation, leaderboard and measure calls of `tunebench.Client`."""

    def _client(self) -> Client:
        return cast("Client", self)  # RunsAPI is only ever a base of Client

    # -- running and publishing ------------------------------------------------------------------

    def run_model_on_task(
        self, model: Any, task: int | Task, *, seed: int = 0, progress: bool | None = None
    ) -> Run:
        """Fit and predict `model` on every fold of `task` (an id or a `Task`), locally.

        Each fold gets a fresh `sklearn.base.clone` of the model with every `random_state`
        that is None or an int set to `seed`, is fitted on the fold's training rows of
        `task.get_X_and_y()` and predicts its test rows: labels for classification (with
        `confidence.<label>` columns in the task's `class_labels` order when the model has
        `predict_proba`; a class the fold's model never saw gets 0), numbers for regression.
        Returns the unpublished `Run`: `run.evaluate()` scores it locally, `run.publish()`
        uploads it.
        """
        if not _is_estimator(model):
            raise TypeError(
                f"Expected a scikit-learn estimator (with fit, get_params and set_params), got "
                f"{type(model).__name__}."
            )
        seed = operator.index(seed)
        if seed < 0:
            raise ValueError("seed must be >= 0.")
        if not isinstance(task, Task):
            task = self._client().get_task(_id_of(task, "task"))
        seeded = seed_model(model, seed)
        flow = flow_from_sklearn(seeded)
        flow.client = self  # type: ignore[assignment]  # a Client in practice
        X, y = task.get_X_and_y(progress=progress)
        splits = _splits_for(task, len(X), progress=progress)
        predictions, timings = _predict_folds(seeded, task, X, y, splits, progress=progress)
        return Run(
            task_id=task.id,
            flow=flow,
            parameters=flow.parameter_values(seeded),
            seed=seed,
            predictions=predictions,
            fold_timings=timings,
            environment=capture_environment(),
            task=task,
            client=self,
        )

    def run_estimator_on_task(
        self,
        estimator: str,
        task: int | Task,
        parameters: dict[str, Any] | None = None,
        *,
        seed: int = 0,
        progress: bool | None = None,
    ) -> Run:
        """Execute a registry configuration on every fold of `task` locally, as the server does.

        `estimator` names one of `list_estimators()` and `parameters` its hyperparameter values
        (the others take the space's defaults), as for `submit`. This is the server worker's
        own code path (`tunebench.engine.execute`): the task's features (no row id, ignored or
        target column, in the dataset's column order) prepared by `prepare_features`, the
        target read from the raw column by `task_target`, the registry's pipeline with
        `random_state=seed`, numpy's and Python's global generators seeded, and one thread for
        the numerical libraries, as in the server's sandbox. So with the same library versions
        (compare `run.environment` with the server run's), `run.predictions` holds exactly
        the predictions the server's run for this seed stored: `get_run(id).get_predictions()`.

        Returns an unpublished `Run` with `flow` None, `estimator` set, `parameters` the
        complete validated values (the configuration's), `seed`, `predictions`, `fold_timings`
        and `environment`; `run.evaluate()` scores it locally, and `run.publish()` uploads it
        against the server's executable flow for the estimator, so `run.reverify()` can have the
        server execute it again. A configuration the registry refuses raises `ValidationError`
        listing every problem, as the server would.
        """
        import pyarrow as pa  # lazily: see the module docstring
        from threadpoolctl import threadpool_limits

        from tunebench import engine
        from tunebench.engine.execute import execute_configuration, prepare_features, task_target

        seed = operator.index(seed)
        if not 0 <= seed <= MAX_SEED:
            raise ValueError(f"seed must be between 0 and {MAX_SEED}.")
        if not isinstance(task, Task):
            task = self._client().get_task(_id_of(task, "task"))
        try:
            values = engine.validate_parameters(estimator, {} if parameters is None else parameters)
            described = engine.get_estimator(estimator)
        except engine.ParameterError as exc:
            raise _parameter_error(exc) from None
        if task.task_type_id not in described.task_types:
            message = f"{described.class_name} does not do {task.task_type} (task {task.id})."
            raise ValidationError(
                message,
                code="wrong_task_type",
                errors={"estimator": [{"code": "wrong_task_type", "message": message}]},
            )
        X, y = task.get_dataset().get_data(target=task.target, progress=progress)
        splits = _splits_for(task, len(X), progress=progress)
        features = prepare_features(X)
        target = task_target(
            pa.Array.from_pandas(y), task_type=task.task_type_id, class_labels=task.class_labels
        )
        with (
            _progress_bar(
                progress, total=splits.repeats * splits.folds, desc=f"Task {task.id}", unit="fold"
            ) as bar,
            threadpool_limits(limits=1),
        ):
            predictions, timings = execute_configuration(
                estimator,
                values,
                seed=seed,
                X=features,
                y=target,
                splits=splits,
                task_type=task.task_type_id,
                class_labels=task.class_labels,
                on_fold=lambda _repeat, _fold: bar.update(),
            )
        return Run(
            task_id=task.id,
            flow=None,
            estimator=estimator,
            parameters=values,
            seed=seed,
            predictions=predictions,
            fold_timings=timings,
            environment=capture_environment(),
            task=task,
            client=self,
        )

    def publish_run(
        self,
        task: int | Task,
        predictions: pd.DataFrame | pa.Table | str | os.PathLike[str],
        *,
        flow: Flow | FlowRef | int | None = None,
        parameters: dict[str, Any] | None = None,
        configuration: Any = None,
        seed: int | None = None,
        environment: dict[str, Any] | None = None,
        fold_timings: Iterable[dict[str, Any]] | None = None,
        team: Any = None,
        tags: str | Iterable[str] = (),
        description: str = "",
        progress: bool | None = None,
    ) -> Run:
        """Publish predictions made elsewhere: a DataFrame or pyarrow Table (sent as Parquet) or
        a Parquet, CSV or ARFF file (sent as it is), in OpenML's predictions format.

        Say what made them with `configuration` (an id) or with `flow` (a `Flow`, published
        first if it has no id, or a flow id) and its `parameters` (the server fills in the
        defaults). Returns the queued `Run`; `run.wait()` follows it until it is scored.
        """
        import pandas as pd  # lazily: see the module docstring
        import pyarrow as pa

        from tunebench import engine

        if (configuration is None) == (flow is None):
            raise ValueError("Give either configuration= or flow= (with parameters=).")
        if configuration is not None and parameters is not None:
            raise ValueError("parameters= goes with flow=; a configuration has its values.")
        fields = [("task", str(_id_of(task, "task")))]
        if configuration is not None:
            fields.append(("configuration", str(_id_of(configuration, "configuration"))))
        else:
            if isinstance(flow, Flow) and flow.id is None:
                self._client().publish_flow(flow)
            fields.append(("flow", str(_id_of(flow, "flow"))))
            if parameters is not None:
                fields.append(("parameters", _json_field(dict(parameters), "parameters")))
        if seed is not None:
            if operator.index(seed) < 0:
                raise ValueError("seed must be >= 0.")
            fields.append(("seed", str(operator.index(seed))))
        if environment is not None:
            fields.append(("environment", _json_field(dict(environment), "environment")))
        if fold_timings is not None:
            fields.append(("fold_timings", _json_field(list(fold_timings), "fold_timings")))
        if team is not None:
            fields.append(("team_id", str(_team_id(team))))
        fields += [("tags", tag) for tag in _names(tags)]
        if description:
            fields.append(("description", description))

        with ExitStack() as stack:
            if isinstance(predictions, pd.DataFrame | pa.Table):
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
                path = folder / "predictions.parquet"
                table = (
                    engine.dataframe_to_table(predictions)
                    if isinstance(predictions, pd.DataFrame)
                    else predictions
                )
                engine.write_parquet(table, path)
            elif isinstance(predictions, str | os.PathLike):
                path = Path(predictions)
            else:
                raise TypeError(
                    "predictions must be a DataFrame, a pyarrow Table or a file path, "
                    f"not {type(predictions).__name__}."
                )
            fh = stack.enter_context(path.open("rb"))
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
                file_field="predictions",
                filename=path.name,
                file=fh,
                size=os.fstat(fh.fileno()).st_size,
                on_read=bar.update,
            )
            bar.total = len(body)
            response = self._send(
                "POST", "runs/", data=body, headers={"Content-Type": body.content_type}
            )
        run = parse_response(partial(Run.from_json, client=self), self._decode(response), "runs/")
        if isinstance(predictions, pd.DataFrame):
            run.predictions = predictions
        if isinstance(flow, Flow):
            run.flow = flow
        if isinstance(task, Task):
            run.task = task
        return run

    # -- reading ---------------------------------------------------------------------------------

    def get_run(self, run_id: int) -> Run:
        """A run as the server describes it, with its evaluations once it is `done`."""
        path = _run_path(run_id)
        return parse_response(partial(Run.from_json, client=self), self.get(path), path)

    def reverify_run(self, run: int | Run) -> Run:
        """Re-execute an uploaded run of an executable flow on the server (`Run.reverify`);
        returns the server's run (queued). Errors: `not_executable`, `no_seed`,
        `not_scored`, `already_verified`."""
        path = _run_path(_id_of(run, "run"), "reverify/")
        return parse_response(partial(Run.from_json, client=self), self.post(path), path)

    def wait_for_run(
        self,
        run_id: int,
        *,
        timeout: float | None = 600,
        poll_interval: float = 2.0,
        progress: bool | None = None,
    ) -> Run:
        """Poll until the run is `done` and return it, with its evaluations.

        Raises `RunError` with the server's code and message when it `failed`, `WaitTimeout`
        after `timeout` seconds (None: no limit). Polls quickly at first, then every
        `poll_interval` seconds; the bar shows the status on stderr, with a waiting server run's
        place in the queue (`queued: position 4`).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = min(0.25, poll_interval)
        with _progress_bar(
            progress, total=None, desc=f"Run {run_id}", bar_format="{desc} [{elapsed}]"
        ) as bar:
            while True:
                run = self.get_run(run_id)
                bar.set_description_str(f"Run {run.id}: {_state(run)}")
                if run.status == "failed":
                    raise _failed(run)
                if run.status == "done":
                    return run
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise WaitTimeout(
                        f"Run {run.id} is still {run.status} after {timeout:g} s; "
                        f"call wait_for_run({run.id}) to wait longer."
                    )
                time.sleep(delay if remaining is None else min(delay, remaining))
                delay = min(delay * 2, poll_interval)

    def list_runs(
        self,
        *,
        task: Any = None,
        flow: Any = None,
        configuration: Any = None,
        uploader: str | None = None,
        team: Any = None,
        status: str | None = None,
        tag: str | None = None,
        origin: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> pd.DataFrame:
        """Runs as a DataFrame, newest first, one row each (`LIST_COLUMNS`; `value` is the
        task's evaluation measure once the run is done); every page unless `limit`.

        Filters: `task`, `flow`, `configuration` (ids or objects with one), `uploader`
        (username), `team` (id or `Team`), `status`, `tag`, `origin` (`uploaded` or `server`).
        """
        import pandas as pd  # lazily: see the module docstring

        given = {
            "task": None if task is None else _id_of(task, "task"),
            "flow": None if flow is None else _id_of(flow, "flow"),
            "configuration": None
            if configuration is None
            else _id_of(configuration, "configuration"),
            "uploader": uploader,
            "team": None if team is None else _team_id(team),
            "status": status,
            "tag": tag,
            "origin": origin,
        }
        params = {key: value for key, value in given.items() if value is not None}
        rows = [
            parse_response(_list_row, item, "runs/")
            for item in self.paginate("runs/", params=params, limit=limit, offset=offset)
        ]
        frame = pd.DataFrame(rows, columns=list(LIST_COLUMNS))
        return _floats(frame, ["value"]).astype(
            {"configuration_id": "Int64", "seed": "Int64", "queue_position": "Int64"}
        )

    def list_evaluations(
        self,
        *,
        task: Any = None,
        measure: str | None = None,
        flow: Any = None,
        configuration: Any = None,
        uploader: str | None = None,
        team: Any = None,
        run: Any = None,
        with_parameters: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> pd.DataFrame:
        """Evaluations as a DataFrame, one row per run and measure (`EVALUATION_COLUMNS`).

        `with_parameters=True` adds one column per hyperparameter (`clf__max_depth`, ...),
        reading each distinct configuration once; a hyperparameter whose name is already a
        column is called `parameters.<name>`. Filters as for `list_runs`, and `measure`, `run`.
        """
        import pandas as pd  # lazily: see the module docstring

        given = {
            "task": None if task is None else _id_of(task, "task"),
            "measure": measure,
            "flow": None if flow is None else _id_of(flow, "flow"),
            "configuration": None
            if configuration is None
            else _id_of(configuration, "configuration"),
            "uploader": uploader,
            "team": None if team is None else _team_id(team),
            "run": None if run is None else _id_of(run, "run"),
        }
        params = {key: value for key, value in given.items() if value is not None}
        rows = [
            parse_response(_evaluation_row, item, "evaluations/")
            for item in self.paginate("evaluations/", params=params, limit=limit, offset=offset)
        ]
        frame = _floats(pd.DataFrame(rows, columns=list(EVALUATION_COLUMNS)), ["value", "std"])
        frame = frame.astype({"configuration": "Int64"})
        if not with_parameters:
            return frame
        values: dict[int, dict[str, Any]] = {}
        for row in rows:
            configuration_id = row["configuration"]
            if configuration_id is not None and configuration_id not in values:
                found = self._client().get_configuration(configuration_id)
                values[configuration_id] = found.parameters
        names = list(dict.fromkeys(name for found in values.values() for name in found))
        # object columns: the values exactly as JSON gave them (None stays None, 3 stays 3)
        hyperparameters = pd.DataFrame(
            {
                f"parameters.{name}" if name in EVALUATION_COLUMNS else name: pd.Series(
                    [values.get(row["configuration"], {}).get(name) for row in rows],
                    index=frame.index,
                    dtype=object,
                )
                for name in names
            },
            index=frame.index,
        )
        return pd.concat([frame, hyperparameters], axis=1)

    def get_leaderboard(
        self, task: Any, *, by: str = "person", measure: str | None = None
    ) -> pd.DataFrame:
        """The task's leaderboard, best first, one row per entrant (`LEADERBOARD_COLUMNS`):
        `by="person"` or `"team"`, on `measure` (the task's evaluation measure when None).
        `verified` says the server executed the entry's run; for such an entry `seeds_n`,
        `seeds_mean`, `seeds_std`, `seeds_low` and `seeds_high` give its configuration's mean
        across seeds on the task with the 95% t-interval (missing otherwise, and std, low and
        high below two seeds). `frame.attrs` holds `measure`, `higher_is_better` and `by`."""
        import pandas as pd  # lazily: see the module docstring

        if by not in LEADERBOARD_BY:
            raise ValueError(f"by must be one of {', '.join(LEADERBOARD_BY)}, got {by!r}.")
        params = {"by": by} if measure is None else {"by": by, "measure": measure}
        path = f"tasks/{_id_of(task, 'task')}/leaderboard/"
        body = self.get(path, params=params)
        rows = [parse_response(_leaderboard_row, item, path) for item in body["entries"]]
        frame = _floats(
            pd.DataFrame(rows, columns=list(LEADERBOARD_COLUMNS)),
            ["value", "std", "seeds_mean", "seeds_std", "seeds_low", "seeds_high"],
        )
        frame = frame.astype({"verified": "bool", "seeds_n": "Int64"})
        frame.attrs.update(
            measure=body.get("measure"),
            higher_is_better=body.get("higher_is_better"),
            by=body.get("by", by),
        )
        return frame

    def list_measures(self, task_type: str | int | None = None) -> pd.DataFrame:
        """The evaluation measures the server computes (OpenML's names), one row each."""
        import pandas as pd  # lazily: see the module docstring

        params = {} if task_type is None else {"task_type": TASK_TYPES[_task_type(task_type)]}
        body = self.get("measures/", params=params)
        if isinstance(body, dict) and isinstance(body.get("results"), list):  # paginated
            items = list(self.paginate("measures/", params=params))
        elif isinstance(body, list):
            items = body
        else:
            raise TunebenchError("Expected a list from /api/v1/measures/.", code="invalid_response")
        return pd.DataFrame(items, columns=list(MEASURE_COLUMNS))

    # -- transfer --------------------------------------------------------------------------------

    def _run_predictions(self, run: Run, *, progress: bool | None) -> pd.DataFrame:
        """The run's predictions file, downloaded to a temporary folder, checked and read."""
        from tunebench import engine  # lazily: see the module docstring

        assert run.id is not None
        stored = run.predictions_file or self.get_run(run.id).predictions_file
        with tempfile.TemporaryDirectory() as folder:
            path, _ = download_checked(
                self,
                _run_path(run.id, "predictions/"),
                Path(folder),
                expected_sha256=stored.sha256 if stored else "",
                what=f"the predictions of run {run.id}",
                label=f"Run {run.id} predictions",
                progress=progress,
            )
            return engine.table_to_dataframe(engine.read_predictions(path))
