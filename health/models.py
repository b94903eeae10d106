"""The last sign of life from a worker on each queue."""

from django.db import models


class Heartbeat(models.Model):
    """One row per Celery queue, rewritten by the ``health.heartbeat`` job.

    Beat sends the job to every queue periodically, so a queue whose row grows old has no
    worker consuming it: the home page, ``/api/v1/health/`` and ``manage.py ping_workers``
    read these rows.
    """

    queue = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["queue"]

    def __str__(self) -> str:
        return f"{self.queue} @ {self.hostname}"
