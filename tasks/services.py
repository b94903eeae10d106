"""Writes for tasks: define a task, and generate its splits once (a worker job).

A task's splits are a pure function of (rows, target, procedure, seed), computed by the
engine the client also runs, so the client can regenerate and check them bit for bit.
They are written once; a job delivered again finds them stored and changes nothing.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from datasets import storage as dataset_storage
from datasets.models import Dataset, Feature
from datasets.selectors import visible_datasets
from tasks.exceptions import InvalidTaskDefinition
from tasks.models import EstimationProcedure, Task, TaskSplitsFile, TaskTag, TaskType

logger = logging.getLogger(__name__)

DEFAULT_MEASURES = {
    TaskType.CLASSIFICATION: "predictive_accuracy",
    TaskType.REGRESSION: "root_mean_squared_error",
}
SPLIT_KINDS = ("parquet", "csv", "arff")


def splits_path(task_id: int, kind: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "tasks" / str(task_id) / f"splits.{kind}"


def load_splits(task_id: int):
    """A task's stored splits as the engine's ``Splits``.

    The stored Parquet (the long format, one line per row and fold) is the truth; reading
    it for a million-row task takes a second, so the first reader also keeps the compact
    assignment matrix (repeats x rows, int32) beside it, written atomically, and later
    readers load that in milliseconds. It is derived from the immutable Parquet, so it
    never goes stale; a damaged copy is rebuilt.
    """
    import numpy as np

    from tunebench import engine

    cache = splits_path(task_id, "parquet").with_name("assignment.npz")
    try:
        with np.load(cache, allow_pickle=False) as stored:
            return engine.Splits(
                repeats=int(stored["assignment"].shape[0]),
                folds=int(stored["folds"]),
                assignment=stored["assignment"],
            )
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        pass
    splits = engine.read_splits_parquet(splits_path(task_id, "parquet"))

    def write(path: Path) -> None:
        with open(path, "wb") as out:
            np.savez(out, assignment=splits.assignment, folds=np.int64(splits.folds))

    try:
        dataset_storage.write_all({cache: write})
    except OSError:  # a read-only or full disk: the Parquet still answers
        logger.warning("could not cache the splits of task %s", task_id, exc_info=True)
    return splits


def _target_feature(dataset: Dataset, target: str) -> Feature:
    feature = Feature.objects.filter(dataset=dataset, name=target).first()
    if feature is None:
        raise InvalidTaskDefinition(
            f"Dataset {dataset.pk} has no column named {target!r}.",
            code="unknown_target",
            field="target",
        )
    if feature.is_row_id or feature.is_ignored:
        raise InvalidTaskDefinition(
            f"{target!r} is the row id or an ignored column of this dataset.",
            code="invalid_target",
            field="target",
        )
    return feature


def _class_labels(feature: Feature, task_type: int) -> list[str] | None:
    if task_type == TaskType.CLASSIFICATION:
        if feature.data_type == Feature.DataType.NOMINAL:
            return list(feature.nominal_values or [])
        if feature.data_type == Feature.DataType.BOOLEAN:
            return ["false", "true"]
        raise InvalidTaskDefinition(
            f"A classification target must be nominal; {feature.name!r} is {feature.data_type}.",
            code="invalid_target",
            field="target",
        )
    if feature.data_type != Feature.DataType.NUMERIC:
        raise InvalidTaskDefinition(
            f"A regression target must be numeric; {feature.name!r} is {feature.data_type}.",
            code="invalid_target",
            field="target",
        )
    return None


def create_task(
    *,
    creator: User,
    dataset_id: int,
    task_type: int,
    target: str,
    estimation_procedure_id: int,
    seed: int = 0,
    evaluation_measure: str | None = None,
    tags: Sequence[str] = (),
) -> tuple[Task, bool]:
    """The task with this definition, created (and its splits job enqueued) if new.

    Returns ``(task, created)``. Refuses, naming the field, a dataset the creator cannot
    see or that is not active, a target of the wrong kind, a procedure of another task
    type, and a procedure the data cannot support (more folds than rows or than the
    smallest class). Nothing is created when it refuses.
    """
    from tunebench import engine

    dataset = visible_datasets(viewer=creator).filter(pk=dataset_id).first()
    if dataset is None:
        raise InvalidTaskDefinition(
            f"There is no dataset {dataset_id} you can see.",
            code="unknown_dataset",
            field="dataset_id",
        )
    if dataset.status != Dataset.Status.ACTIVE:
        raise InvalidTaskDefinition(
            f"Dataset {dataset_id} is {dataset.status}; tasks need an active dataset.",
            code="dataset_not_active",
            field="dataset_id",
        )
    procedure = EstimationProcedure.objects.filter(pk=estimation_procedure_id).first()
    if procedure is None or procedure.id not in engine.PROCEDURES:
        raise InvalidTaskDefinition(
            f"Unknown estimation procedure {estimation_procedure_id}.",
            code="unknown_procedure",
            field="estimation_procedure",
        )
    if procedure.task_type != task_type:
        raise InvalidTaskDefinition(
            f"Procedure {procedure.id} ({procedure.name}) is for "
            f"{TaskType(procedure.task_type).label}, not {TaskType(task_type).label}.",
            code="procedure_task_type_mismatch",
            field="estimation_procedure",
        )
    feature = _target_feature(dataset, target)
    class_labels = _class_labels(feature, task_type)
    measure = evaluation_measure or DEFAULT_MEASURES[task_type]
    known = engine.MEASURES.get(measure)
    if known is None or known.task_type != task_type:
        raise InvalidTaskDefinition(
            f"{measure!r} is not a {TaskType(task_type).label.lower()} measure.",
            code="unknown_measure",
            field="evaluation_measure",
        )

    existing = Task.objects.filter(
        dataset=dataset,
        task_type=task_type,
        target_name=target,
        estimation_procedure=procedure,
        seed=seed,
    ).first()
    if existing is not None:
        return existing, False

    # Cheap feasibility check now (one column read), so a 400 replaces a failed job.
    target_values = _target_column(dataset, target)
    try:
        engine.check_procedure(
            len(target_values), engine.PROCEDURES[procedure.id], target=target_values
        )
    except engine.SplitError as exc:
        raise InvalidTaskDefinition(
            str(exc), code=exc.code, field=getattr(exc, "field", None) or "estimation_procedure"
        ) from None

    try:
        with transaction.atomic():
            task = Task.objects.create(
                dataset=dataset,
                task_type=task_type,
                target_name=target,
                estimation_procedure=procedure,
                seed=seed,
                evaluation_measure=measure,
                class_labels=class_labels,
                creator=creator,
            )
            TaskTag.objects.bulk_create(
                [TaskTag(task=task, tag=t) for t in sorted({t.strip() for t in tags if t.strip()})],
                ignore_conflicts=True,  # "ML" and "ml" are one tag under MySQL's collation
            )
            _enqueue_splits(task)
    except IntegrityError:  # the same definition, created concurrently: it is that task
        return Task.objects.get(
            dataset=dataset,
            task_type=task_type,
            target_name=target,
            estimation_procedure=procedure,
            seed=seed,
        ), False
    logger.info("task created id=%s dataset=%s", task.pk, dataset.pk)
    return task, True


def _target_column(dataset: Dataset, target: str):
    """The target column as stored in the canonical Parquet (labels, nulls for missing).

    Stratification works on the labels themselves (sorted), so the client, reading the
    same file, regenerates exactly these splits.
    """
    import pyarrow.parquet as pq

    path = dataset_storage.file_path(dataset.pk, "parquet")
    return pq.read_table(path, columns=[target]).column(0).combine_chunks()


def _enqueue_splits(task: Task) -> None:
    from tasks.jobs import generate_splits_job

    task_id, attempt = task.pk, task.attempt
    # robust: a broker that is down must not turn a committed task into an error; the
    # task stays processing and requeue_stuck_tasks sends the job again.
    transaction.on_commit(lambda: generate_splits_job.delay(task_id, attempt), robust=True)


def generate_task_splits(*, task_id: int, attempt: int) -> None:
    """Generate and store a task's splits once. Idempotent.

    An active task's splits are never regenerated; a duplicate delivery writes the same
    bytes (the engine is deterministic) and the same rows.
    """
    from tunebench import engine

    claimed = Task.objects.filter(
        pk=task_id, status=Task.Status.PROCESSING, attempt=attempt
    ).update(updated_at=timezone.now())
    if not claimed:
        logger.info("splits skipped task=%s attempt=%s: not processing", task_id, attempt)
        return
    task = Task.objects.select_related("dataset").get(pk=task_id)
    target = _target_column(task.dataset, task.target_name)
    try:
        splits = engine.generate_splits(
            len(target),
            engine.PROCEDURES[task.estimation_procedure_id],
            seed=task.seed,
            target=target,
        )
    except engine.SplitError as exc:
        _fail(task_id=task_id, attempt=attempt, code=exc.code, message=str(exc))
        return
    writers = {
        "parquet": lambda p: engine.write_splits_parquet(splits, p),
        "csv": lambda p: engine.write_splits_csv(splits, p),
        "arff": lambda p: engine.write_splits_arff(splits, p, relation=f"Task_{task_id}_splits"),
    }
    try:
        stored = dataset_storage.write_all(
            {splits_path(task_id, kind): write for kind, write in writers.items()}
        )
    except Exception as exc:
        logger.exception("writing splits failed task=%s", task_id)
        _fail(
            task_id=task_id,
            attempt=attempt,
            code="internal_error",
            message=f"The server could not write the splits ({type(exc).__name__}).",
        )
        return
    with transaction.atomic():
        done = Task.objects.filter(
            pk=task_id, status=Task.Status.PROCESSING, attempt=attempt
        ).update(status=Task.Status.ACTIVE, error_code="", error_message="")
        if not done:
            transaction.set_rollback(True)
            return
        written = {kind: stored[splits_path(task_id, kind)] for kind in writers}
        for kind, sums in written.items():
            TaskSplitsFile.objects.update_or_create(
                task_id=task_id,
                kind=kind,
                defaults={"size": sums.size, "md5": sums.md5, "sha256": sums.sha256},
            )
    logger.info("splits stored task=%s", task_id)


def _fail(*, task_id: int, attempt: int, code: str, message: str) -> None:
    Task.objects.filter(pk=task_id, status=Task.Status.PROCESSING, attempt=attempt).update(
        status=Task.Status.ERROR, error_code=code[:64], error_message=message
    )


def requeue_stuck_tasks(*, max_attempts: int = 3) -> int:
    """Re-enqueue tasks whose splits job was lost or stalled (a dead worker, a lost message).

    A task processing for longer than the hard job limit plus a margin gets a new attempt,
    up to ``max_attempts``; after that it fails with ``splits_stalled``. Returns how many
    were re-enqueued.
    """
    from datetime import timedelta

    deadline = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    stuck = Task.objects.filter(status=Task.Status.PROCESSING, updated_at__lt=deadline)
    requeued = 0
    for task_id, attempt in list(stuck.values_list("pk", "attempt")):
        if attempt >= max_attempts:
            _fail(
                task_id=task_id,
                attempt=attempt,
                code="splits_stalled",
                message=f"The splits were not generated after {attempt} attempts.",
            )
            continue
        with transaction.atomic():
            if Task.objects.filter(
                pk=task_id, status=Task.Status.PROCESSING, attempt=attempt
            ).update(attempt=attempt + 1, updated_at=timezone.now()):
                _enqueue_splits(Task(pk=task_id, attempt=attempt + 1))
                requeued += 1
    return requeued
