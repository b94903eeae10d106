"""Read queries for tasks. A task is visible exactly when its dataset is."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from datasets.selectors import visible_datasets
from tasks.exceptions import TaskNotFound
from tasks.models import EstimationProcedure, Task, TaskSplitsFile


def visible_tasks(*, viewer: User) -> QuerySet[Task]:
    return Task.objects.filter(dataset__in=visible_datasets(viewer=viewer).values("pk"))


def list_tasks(
    *,
    viewer: User,
    dataset_id: int | None = None,
    task_type: int | None = None,
    estimation_procedure_id: int | None = None,
    target: str | None = None,
    tag: str | None = None,
    status: str | None = Task.Status.ACTIVE,
) -> QuerySet[Task]:
    tasks = visible_tasks(viewer=viewer)
    if dataset_id is not None:
        tasks = tasks.filter(dataset_id=dataset_id)
    if task_type is not None:
        tasks = tasks.filter(task_type=task_type)
    if estimation_procedure_id is not None:
        tasks = tasks.filter(estimation_procedure_id=estimation_procedure_id)
    if target:
        tasks = tasks.filter(target_name=target)
    if tag:
        tasks = tasks.filter(tags__tag=tag)
    if status:
        tasks = tasks.filter(status=status)
    return (
        tasks.select_related("dataset", "estimation_procedure", "creator")
        .prefetch_related("tags")
        .order_by("id")
    )


def get_task(*, viewer: User, task_id: int) -> Task:
    try:
        return (
            visible_tasks(viewer=viewer)
            .select_related("dataset", "estimation_procedure", "creator")
            .prefetch_related("split_files", "tags")
            .get(pk=task_id)
        )
    except (Task.DoesNotExist, ValueError, TypeError, OverflowError):
        raise TaskNotFound() from None


def list_estimation_procedures(*, task_type: int | None = None) -> QuerySet[EstimationProcedure]:
    procedures = EstimationProcedure.objects.all()
    if task_type is not None:
        procedures = procedures.filter(task_type=task_type)
    return procedures.order_by("id")


def splits_file_of(*, task: Task, kind: str) -> TaskSplitsFile | None:
    return TaskSplitsFile.objects.filter(task=task, kind=kind).first()
