"""The Django project: wiring only (settings, URLs, Celery app, WSGI/ASGI, the error base)."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
