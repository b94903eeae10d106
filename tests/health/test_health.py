"""Worker heartbeats: enqueued on commit, recorded idempotently, reported by the API."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from health.jobs import heartbeat_job
from health.models import Heartbeat
from health.services import record_heartbeat, request_heartbeats

pytestmark = pytest.mark.django_db


def test_heartbeats_are_enqueued_once_per_queue_only_after_commit(
    django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(heartbeat_job, "apply_async", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        request_heartbeats()
        assert sent == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 3
    assert sent == [{"kwargs": {"queue": q}, "queue": q} for q in ["default", "score", "execute"]]


def test_a_rolled_back_transaction_enqueues_nothing(monkeypatch):
    sent = []
    monkeypatch.setattr(heartbeat_job, "apply_async", lambda **kw: sent.append(kw))

    class Abort(Exception):
        pass

    def enqueue_then_fail():
        with transaction.atomic():
            request_heartbeats()
            raise Abort

    with pytest.raises(Abort):
        enqueue_then_fail()
    assert sent == []


def test_a_heartbeat_delivered_twice_leaves_one_row():
    heartbeat_job.apply(kwargs={"queue": "score"})
    heartbeat_job.apply(kwargs={"queue": "score"})
    assert Heartbeat.objects.filter(queue="score").count() == 1


def test_health_reports_queues_online_and_degraded(client):
    for queue in ["default", "score"]:
        record_heartbeat(queue=queue, hostname="w1@host")
    stale = record_heartbeat(queue="execute", hostname="w2@host")
    Heartbeat.objects.filter(pk=stale.pk).update(seen_at=timezone.now() - timedelta(hours=1))
    response = client.get("/api/v1/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] is True
    assert [(q["queue"], q["is_online"], q["hostname"]) for q in body["queues"]] == [
        ("default", True, "w1@host"),
        ("score", True, "w1@host"),
        ("execute", False, "w2@host"),
    ]


def test_health_ignores_credentials(client):
    response = client.get("/api/v1/health/", HTTP_AUTHORIZATION="Token garbage")
    assert response.status_code == 200


def test_health_is_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr("api.views.health.database_is_up", lambda: False)
    response = client.get("/api/v1/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": False, "queues": []}
