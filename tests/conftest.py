"""Fixtures shared by the server tests.

Under CI (``CI=true``) nothing may skip for a missing service or browser: use
:func:`require` instead of ``pytest.skip`` for such conditions, so CI fails loudly where a
developer's machine only skips.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: missing services and browsers fail, not skip)")
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("mysql") and connection.vendor != "mysql":
            item.add_marker(pytest.mark.skip(reason="needs DATABASE_URL=mysql://..."))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the rows migrations seed written again: a transactional
    test's flush removes them, and --reuse-db (pyproject) hands that flushed database to
    the next session, whose tasks would find no estimation procedure."""
    import importlib

    from django.apps import apps

    seeding = importlib.import_module("tasks.migrations.0002_seed_estimation_procedures")
    with django_db_blocker.unblock():
        seeding.seed(apps, None)


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Every test writes uploads into its own folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache: start every test from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def auth_client(user):
    """An API client authenticated with a real API key of ``user``."""
    from accounts.services import create_api_key

    _, raw = create_api_key(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    client.user = user
    return client


@pytest.fixture
def ingest(django_capture_on_commit_callbacks):
    """Run what a service enqueued (Celery is eager in tests) when the block commits."""

    class Ingest:
        def __call__(self, fn, *args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                result = fn(*args, **kwargs)
            if hasattr(result, "refresh_from_db"):
                result.refresh_from_db()
            return result

    return Ingest()


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory):
    """A running web server and celery worker on a throwaway database (tests/stack.py)."""
    from tests.stack import Stack

    stack = Stack(tmp_path_factory.mktemp("stack"))
    try:
        stack.start()
    except Exception:
        stack.stop()
        raise
    yield stack
    stack.stop()
