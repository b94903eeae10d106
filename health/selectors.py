"""What the platform knows about its own health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from health.models import Heartbeat


@dataclass(frozen=True)
class QueueStatus:
    queue: str
    hostname: str | None
    seen_at: datetime | None
    is_online: bool


def queue_statuses() -> list[QueueStatus]:
    """Each configured queue with its last heartbeat; online if seen within three intervals."""
    horizon = timezone.now() - timedelta(seconds=3 * settings.HEARTBEAT_INTERVAL_S)
    seen = {beat.queue: beat for beat in Heartbeat.objects.all()}
    statuses = []
    for queue in settings.CELERY_TASK_QUEUES:
        beat = seen.get(queue.name)
        statuses.append(
            QueueStatus(
                queue=queue.name,
                hostname=beat.hostname if beat else None,
                seen_at=beat.seen_at if beat else None,
                is_online=bool(beat and beat.seen_at >= horizon),
            )
        )
    return statuses


def database_is_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means "down" to a health check
        return False
