"""Celery jobs of the health app."""

from celery import shared_task
from celery.signals import worker_ready


@shared_task(name="health.heartbeat", bind=True, acks_late=True, soft_time_limit=20, time_limit=30)
def heartbeat_job(self, queue: str) -> None:
    """Record that this queue has a live worker. Writing the same row twice is harmless."""
    from health.services import record_heartbeat

    record_heartbeat(queue=queue, hostname=self.request.hostname or "unknown")


@worker_ready.connect
def announce_worker(sender, **kwargs) -> None:
    """A starting worker pings the queues it consumes, through the broker, so the site shows
    it online at once instead of at beat's next heartbeat."""
    for queue in sender.task_consumer.queues:
        heartbeat_job.apply_async(kwargs={"queue": queue.name}, queue=queue.name)
