"""Celery jobs of the datasets app: thin wrappers that load ids and call one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

# Database hiccups are worth retrying; a file we cannot read is not (the service records
# it as the dataset's error instead of raising).
TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    name="datasets.ingest_dataset",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def ingest_dataset_job(self, dataset_id: int, attempt: int) -> None:
    from datasets.services import ingest_dataset

    ingest_dataset(dataset_id=dataset_id, attempt=attempt)


@shared_task(
    name="datasets.requeue_stuck_datasets", acks_late=True, soft_time_limit=120, time_limit=180
)
def requeue_stuck_datasets_job() -> int:
    from datasets.services import requeue_stuck_datasets

    return requeue_stuck_datasets()
