"""The Celery application.

Settings come from Django's settings under the ``CELERY_`` namespace. Job code lives in
``<app>/jobs.py`` (``tasks`` is the name of our benchmark-task app), so autodiscovery looks
for ``jobs`` modules.
"""

import os

from celery import Celery
from celery.signals import worker_process_init
from kombu.transport import TRANSPORT_ALIASES

# The embedded default's broker writes each message atomically (config/broker.py).
TRANSPORT_ALIASES["filesystem"] = "config.broker:Transport"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tunebench")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")


@worker_process_init.connect
def _start_sandbox(**_kwargs) -> None:
    """Start this pool process's sandbox zygote now (it imports scikit-learn and friends
    once, about a second), so the first run it executes pays only a fork. Started in the
    pool process, after the fork, since a zygote belongs to the process that uses it."""
    from django.conf import settings

    if settings.TUNEBENCH_SANDBOX_PRESTART:
        from runs.execution import sandbox

        sandbox().start()
