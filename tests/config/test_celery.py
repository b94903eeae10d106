"""The Celery baseline of reliability-checklist.md (C1, C2) and the job layout."""

from django.conf import settings

from config.celery import app


def test_celery_reliability_baseline():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
    assert conf.worker_prefetch_multiplier == 1
    assert list(conf.accept_content) == ["json"]
    assert conf.task_serializer == "json"
    assert conf.task_ignore_result is True
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.worker_max_memory_per_child > 0
    assert [q.name for q in conf.task_queues] == ["default", "score", "execute"]


def test_jobs_are_discovered_from_jobs_modules_with_explicit_names():
    app.loader.import_default_modules()
    app.autodiscover_tasks(["health"], related_name="jobs", force=True)
    ours = {name for name in app.tasks if not name.startswith("celery.")}
    assert "health.heartbeat" in ours
    for name in ours:
        # Explicit names survive refactors (STYLE.md 2.4): "<app>.<job>".
        assert name.count(".") == 1, name


def test_beat_sends_a_heartbeat_to_every_queue():
    entries = settings.CELERY_BEAT_SCHEDULE
    heartbeats = [e for e in entries.values() if e["task"] == "health.heartbeat"]
    assert {e["options"]["queue"] for e in heartbeats} == {"default", "score", "execute"}


def test_beat_sweeps_stuck_ingestions():
    (sweep,) = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "datasets.requeue_stuck_datasets"
    ]
    assert sweep["options"]["queue"] == "default"
