"""The Celery application.

Settings come from Django's settings under the ``CELERY_`` namespace. Job code lives in
``<app>/jobs.py`` (``tasks`` is the name of our benchmark-task app), so autodiscovery looks
for ``jobs`` modules.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tunebench")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")
