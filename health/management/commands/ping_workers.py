"""``manage.py ping_workers [--wait SECONDS]``: is a worker consuming every queue?

Sends a heartbeat job to each queue through the broker and waits until a worker has
recorded it in the database. Exits 0 when every queue answered, 1 otherwise, naming the
silent queues. ``make run`` uses it to report that the worker is up.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from health.models import Heartbeat
from health.services import request_heartbeats


class Command(BaseCommand):
    help = "Send a heartbeat job to every queue and wait for the workers to answer."

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait", type=float, default=30.0, help="Seconds to wait (default 30)."
        )

    def handle(self, *args, wait: float, **options):
        sent_at = timezone.now()
        with transaction.atomic():
            queues = request_heartbeats()
        deadline = time.monotonic() + wait
        while True:
            answered = set(
                Heartbeat.objects.filter(queue__in=queues, seen_at__gte=sent_at).values_list(
                    "queue", flat=True
                )
            )
            if answered == set(queues) or time.monotonic() >= deadline:
                break
            time.sleep(0.25)
        for queue in queues:
            state = "ok" if queue in answered else "no answer"
            self.stdout.write(f"queue {queue}: {state}")
        missing = sorted(set(queues) - answered)
        if missing:
            raise CommandError(f"No worker answered on {', '.join(missing)} within {wait:g} s.")
