"""Celery jobs of the health app."""

from celery import shared_task


@shared_task(name="health.heartbeat", bind=True, acks_late=True, soft_time_limit=20, time_limit=30)
def heartbeat_job(self, queue: str) -> None:
    """Record that this queue has a live worker. Writing the same row twice is harmless."""
    from health.services import record_heartbeat

    record_heartbeat(queue=queue, hostname=self.request.hostname or "unknown")
