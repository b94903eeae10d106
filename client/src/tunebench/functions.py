"""The module-level API (`tunebench.whoami()`): each `Client` method, run on the default connection.

Written out rather than generated, so editors and type checkers see real signatures and docs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tunebench.accounts import Team, User
from tunebench.client import default_client
from tunebench.datasets import Dataset
from tunebench.flows import Configuration, Flow, FlowRef
from tunebench.runs import Run
from tunebench.submissions import Submission
from tunebench.tasks import Task

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


def whoami() -> User:
    """The user the default connection's API key belongs to."""
    return default_client().whoami()


def list_teams(limit: int | None = None, offset: int = 0) -> list[Team]:
    """Teams the server lists, skipping `offset`; every page when `limit` is None."""
    return default_client().list_teams(limit=limit, offset=offset)


def upload_dataset(
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
    """Upload a DataFrame or a CSV, ARFF or Parquet file; `wait=True` waits until it is active."""
    return default_client().upload_dataset(
        data,
        name=name,
        description=description,
        default_target_attribute=default_target_attribute,
        row_id_attribute=row_id_attribute,
        ignore_attributes=ignore_attributes,
        tags=tags,
        visibility=visibility,
        team=team,
        licence=licence,
        citation=citation,
        collection_date=collection_date,
        original_data_url=original_data_url,
        paper_url=paper_url,
        wait=wait,
        timeout=timeout,
        progress=progress,
    )


def wait_for_dataset(
    dataset_id: int,
    *,
    timeout: float | None = 600,
    poll_interval: float = 2.0,
    progress: bool | None = None,
) -> Dataset:
    """Poll until the dataset is no longer processing; `DatasetError` if processing failed."""
    return default_client().wait_for_dataset(
        dataset_id, timeout=timeout, poll_interval=poll_interval, progress=progress
    )


def get_dataset(dataset_id: int) -> Dataset:
    """A dataset's description (all qualities and files); its data is `get_data()`."""
    return default_client().get_dataset(dataset_id)


def get_dataset_data(
    dataset_id: int,
    target: str | None = None,
    *,
    include_row_id: bool = False,
    include_ignore_attributes: bool = False,
    progress: bool | None = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.Series]:
    """The dataset's data as a DataFrame, or `(X, y)` when `target` names a column."""
    return default_client().get_dataset_data(
        dataset_id,
        target,
        include_row_id=include_row_id,
        include_ignore_attributes=include_ignore_attributes,
        progress=progress,
    )


def download_dataset(
    dataset_id: int,
    path: str | os.PathLike[str] | None = None,
    *,
    format: str = "parquet",
    progress: bool | None = None,
) -> Path:
    """Save the data as `format` (parquet, csv or arff) to `path`; returns where it went."""
    return default_client().download_dataset(dataset_id, path, format=format, progress=progress)


def list_datasets(
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
    """Datasets as a DataFrame; quality filters as `NumberOfInstances=(1000, 10000)`."""
    return default_client().list_datasets(
        limit=limit,
        offset=offset,
        status=status,
        name=name,
        tag=tag,
        uploader=uploader,
        format=format,
        visibility=visibility,
        team=team,
        ordering=ordering,
        **qualities,
    )


def get_dataset_features(dataset_id: int) -> pd.DataFrame:
    """The dataset's features (columns), one row each, in column order."""
    return default_client().get_dataset_features(dataset_id)


def get_dataset_qualities(dataset_id: int) -> dict[str, float | None]:
    """All the dataset's qualities (OpenML names)."""
    return default_client().get_dataset_qualities(dataset_id)


def edit_dataset(
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
    """Change the given metadata fields (None leaves a field as it is; "" clears it)."""
    return default_client().edit_dataset(
        dataset_id,
        description=description,
        licence=licence,
        citation=citation,
        collection_date=collection_date,
        original_data_url=original_data_url,
        paper_url=paper_url,
        default_target_attribute=default_target_attribute,
        row_id_attribute=row_id_attribute,
        ignore_attributes=ignore_attributes,
        tags=tags,
    )


def new_dataset_version(
    dataset_id: int,
    *,
    default_target_attribute: str | None = None,
    row_id_attribute: str | None = None,
    ignore_attributes: str | Iterable[str] | None = None,
) -> Dataset:
    """The next version of a dataset with another target, row id or ignored columns."""
    return default_client().new_dataset_version(
        dataset_id,
        default_target_attribute=default_target_attribute,
        row_id_attribute=row_id_attribute,
        ignore_attributes=ignore_attributes,
    )


def deactivate_dataset(dataset_id: int) -> Dataset:
    """Hide the dataset from lists (uploader or moderator)."""
    return default_client().deactivate_dataset(dataset_id)


def reactivate_dataset(dataset_id: int) -> Dataset:
    """Undo `deactivate_dataset`."""
    return default_client().reactivate_dataset(dataset_id)


def delete_dataset(dataset_id: int) -> None:
    """Delete a dataset version (uploader), possible only while nothing refers to it."""
    default_client().delete_dataset(dataset_id)


def create_task(
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
    """Define a task (or get the existing one); `wait=True` waits until its splits exist."""
    return default_client().create_task(
        dataset_id,
        target=target,
        task_type=task_type,
        estimation_procedure=estimation_procedure,
        seed=seed,
        evaluation_measure=evaluation_measure,
        tags=tags,
        wait=wait,
        timeout=timeout,
        progress=progress,
    )


def wait_for_task(
    task_id: int,
    *,
    timeout: float | None = 300,
    poll_interval: float = 2.0,
    progress: bool | None = None,
) -> Task:
    """Poll until the task is no longer processing; `TaskError` if generating its splits failed."""
    return default_client().wait_for_task(
        task_id, timeout=timeout, poll_interval=poll_interval, progress=progress
    )


def get_task(task_id: int) -> Task:
    """A task's description; `task.get_X_and_y()`, `task.iter_splits()`, `task.evaluate(...)`."""
    return default_client().get_task(task_id)


def list_tasks(
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
    """Tasks as a DataFrame, one row each; every page unless `limit`."""
    return default_client().list_tasks(
        limit=limit,
        offset=offset,
        dataset=dataset,
        task_type=task_type,
        estimation_procedure=estimation_procedure,
        target=target,
        tag=tag,
        status=status,
    )


def list_estimation_procedures(task_type: str | int | None = None) -> pd.DataFrame:
    """The estimation procedures the server supports (OpenML's ids), one row each."""
    return default_client().list_estimation_procedures(task_type)


def publish_flow(flow: Flow) -> Flow:
    """Publish a flow with its components (`flow.publish()`); sets and returns its id."""
    return default_client().publish_flow(flow)


def get_flow(flow_id: int) -> Flow:
    """A flow with its parameters and components (each a full `Flow`)."""
    return default_client().get_flow(flow_id)


def list_flows(
    *,
    name: str | None = None,
    external_version: str | None = None,
    tag: str | None = None,
    uploader: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> pd.DataFrame:
    """Flows as a DataFrame, one row each; every page unless `limit`."""
    return default_client().list_flows(
        name=name,
        external_version=external_version,
        tag=tag,
        uploader=uploader,
        limit=limit,
        offset=offset,
    )


def flow_exists(name: str, external_version: str) -> int | None:
    """The id of the flow with this name and external version, or None."""
    return default_client().flow_exists(name, external_version)


def get_configuration(configuration_id: int) -> Configuration:
    """A configuration: a flow and every one of its hyperparameter values."""
    return default_client().get_configuration(configuration_id)


def run_model_on_task(
    model: Any, task: int | Task, *, seed: int = 0, progress: bool | None = None
) -> Run:
    """Fit and predict a scikit-learn model on every fold of a task, locally; an unpublished
    `Run` (`run.evaluate()`, `run.publish()`)."""
    return default_client().run_model_on_task(model, task, seed=seed, progress=progress)


def run_estimator_on_task(
    estimator: str,
    task: int | Task,
    parameters: dict[str, Any] | None = None,
    *,
    seed: int = 0,
    progress: bool | None = None,
) -> Run:
    """Execute a registry configuration on every fold of a task locally, exactly as the
    server's workers do; the `Run`'s predictions equal a server run's for the same seed."""
    return default_client().run_estimator_on_task(
        estimator, task, parameters, seed=seed, progress=progress
    )


def publish_run(
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
    """Publish predictions made elsewhere, with a configuration or a flow and its parameters."""
    return default_client().publish_run(
        task,
        predictions,
        flow=flow,
        parameters=parameters,
        configuration=configuration,
        seed=seed,
        environment=environment,
        fold_timings=fold_timings,
        team=team,
        tags=tags,
        description=description,
        progress=progress,
    )


def get_run(run_id: int) -> Run:
    """A run as the server describes it, with its evaluations once it is done."""
    return default_client().get_run(run_id)


def wait_for_run(
    run_id: int,
    *,
    timeout: float | None = 600,
    poll_interval: float = 2.0,
    progress: bool | None = None,
) -> Run:
    """Poll until the run is done; `RunError` with the server's code if it failed."""
    return default_client().wait_for_run(
        run_id, timeout=timeout, poll_interval=poll_interval, progress=progress
    )


def list_runs(
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
    """Runs as a DataFrame, newest first; every page unless `limit`."""
    return default_client().list_runs(
        task=task,
        flow=flow,
        configuration=configuration,
        uploader=uploader,
        team=team,
        status=status,
        tag=tag,
        origin=origin,
        limit=limit,
        offset=offset,
    )


def list_evaluations(
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
    """Evaluations as a DataFrame; `with_parameters=True` adds a column per hyperparameter."""
    return default_client().list_evaluations(
        task=task,
        measure=measure,
        flow=flow,
        configuration=configuration,
        uploader=uploader,
        team=team,
        run=run,
        with_parameters=with_parameters,
        limit=limit,
        offset=offset,
    )


def get_leaderboard(task: Any, *, by: str = "person", measure: str | None = None) -> pd.DataFrame:
    """A task's leaderboard, best first, by person or team."""
    return default_client().get_leaderboard(task, by=by, measure=measure)


def list_estimators(task_type: str | int | None = None) -> list[dict[str, Any]]:
    """The estimators the server can execute, each with its hyperparameter space."""
    return default_client().list_estimators(task_type)


def get_estimator(name: str) -> dict[str, Any]:
    """One estimator of the server's registry, with its hyperparameter space."""
    return default_client().get_estimator(name)


def get_estimator_flow(name: str) -> Flow:
    """The server's executable flow for a registry estimator."""
    return default_client().get_estimator_flow(name)


def reverify_run(run: int | Run) -> Run:
    """Have the server re-execute an uploaded run of an executable flow; the server's run."""
    return default_client().reverify_run(run)


def list_measures(task_type: str | int | None = None) -> pd.DataFrame:
    """The evaluation measures the server computes, one row each."""
    return default_client().list_measures(task_type)


def submit(
    task: int | Task,
    estimator: str,
    parameters: dict[str, Any] | None = None,
    *,
    seeds: int | Iterable[int] | None = (0, 1, 2, 3, 4),
    team: Any = None,
    tags: str | Iterable[str] = (),
    description: str = "",
) -> Submission:
    """Have the server execute a registry estimator's configuration on a task, one run per
    seed; `submission.wait()`, then `submission.seed_summary()`."""
    return default_client().submit(
        task,
        estimator,
        parameters,
        seeds=seeds,
        team=team,
        tags=tags,
        description=description,
    )


def get_configuration_seeds(configuration: Any, task: Any = None) -> pd.DataFrame:
    """A configuration's verified runs across seeds: per task and measure, the mean, std and
    95% interval."""
    return default_client().get_configuration_seeds(configuration, task)
