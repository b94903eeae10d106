"""Recording and requesting worker heartbeats."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from health.models import Heartbeat


def record_heartbeat(*, queue: str, hostname: str) -> Heartbeat:
    """Note that a worker on ``hostname`` just consumed a job from ``queue``. Idempotent."""
    heartbeat, _ = Heartbeat.objects.update_or_create(
        queue=queue, defaults={"hostname": hostname[:255], "seen_at": timezone.now()}
    )
    return heartbeat


def request_heartbeats() -> list[str]:
    """Send a heartbeat job to every queue once the current transaction commits."""
    from health.jobs import heartbeat_job

    queues = [queue.name for queue in settings.CELERY_TASK_QUEUES]
    for queue in queues:
        transaction.on_commit(
            lambda queue=queue: heartbeat_job.apply_async(kwargs={"queue": queue}, queue=queue)
        )
    return queues
