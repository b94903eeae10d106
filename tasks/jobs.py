"""Celery jobs of the tasks app."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    name="tasks.generate_splits",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def generate_splits_job(self, task_id: int, attempt: int) -> None:
    from tasks.services import generate_task_splits

    generate_task_splits(task_id=task_id, attempt=attempt)


@shared_task(name="tasks.requeue_stuck_tasks", acks_late=True, soft_time_limit=120, time_limit=180)
def requeue_stuck_tasks_job() -> int:
    from tasks.services import requeue_stuck_tasks

    return requeue_stuck_tasks()
