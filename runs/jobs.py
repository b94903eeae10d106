"""Celery jobs of the runs app: thin wrappers that load ids and call one service."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

TRANSIENT = (OperationalError, InterfaceError)
# A job that works on one attempt of a run: redelivered if its worker dies (the attempt
# token makes a second copy harmless), retried with backoff after a database hiccup.
ATTEMPT_JOB = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(
    name="runs.score_run",
    **ATTEMPT_JOB,
    soft_time_limit=settings.TUNEBENCH_RUN_SCORE_SOFT_TIME_LIMIT_S,
    time_limit=settings.TUNEBENCH_RUN_SCORE_TIME_LIMIT_S,
)
def score_run_job(self, run_id: int, attempt: int) -> None:
    from runs.services import score_run

    # An autoretry after a database hiccup is not the worker dying: only a message's first
    # execution (or its redelivery after a lost worker) counts as a delivery.
    score_run(run_id=run_id, attempt=attempt, count_delivery=self.request.retries == 0)


@shared_task(name="runs.requeue_stuck_runs", acks_late=True, soft_time_limit=120, time_limit=180)
def requeue_stuck_runs_job() -> dict:
    from runs.services import requeue_stuck_runs

    return requeue_stuck_runs()


@shared_task(
    name="runs.execute_run",
    **ATTEMPT_JOB,
    soft_time_limit=settings.TUNEBENCH_EXECUTE_SOFT_TIME_LIMIT_S,
    time_limit=settings.TUNEBENCH_EXECUTE_TIME_LIMIT_S,
)
def execute_run_job(self, run_id: int, attempt: int) -> None:
    from runs.execution import execute_run

    # As for scoring, only a message's first execution counts as a delivery.
    execute_run(run_id=run_id, attempt=attempt, count_delivery=self.request.retries == 0)
