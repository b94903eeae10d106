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


# -- runs (issue 5) ----------------------------------------------------------------------


def _our_jobs() -> dict:
    app.loader.import_default_modules()
    app.autodiscover_tasks(["health"], related_name="jobs", force=True)
    return {name: job for name, job in app.tasks.items() if not name.startswith("celery.")}


def test_scoring_job_is_redelivered_when_its_worker_dies_and_stays_within_its_limits():
    """C1 for runs.score_run: late ack + requeue on a lost child, soft < hard limit, and
    the sweeper's deadline after the hard limit (a run still inside its limit is never
    given a second attempt), both inside the visibility timeout."""
    job = _our_jobs()["runs.score_run"]
    assert job.acks_late is True
    assert job.reject_on_worker_lost is True
    assert job.soft_time_limit == settings.TUNEBENCH_RUN_SCORE_SOFT_TIME_LIMIT_S
    assert job.time_limit == settings.TUNEBENCH_RUN_SCORE_TIME_LIMIT_S
    assert 0 < job.soft_time_limit < job.time_limit
    assert job.time_limit < settings.TUNEBENCH_RUN_SCORE_DEADLINE_S
    assert settings.TUNEBENCH_RUN_SCORE_DEADLINE_S < settings.VISIBILITY_TIMEOUT_S


def test_every_job_has_a_soft_limit_below_its_hard_limit_below_the_visibility_timeout():
    for name, job in _our_jobs().items():
        soft = job.soft_time_limit or app.conf.task_soft_time_limit
        hard = job.time_limit or app.conf.task_time_limit
        assert 0 < soft < hard < settings.VISIBILITY_TIMEOUT_S, (name, soft, hard)


def _settings_in_a_subprocess(code: str, env: dict[str, str], tmp_path) -> list[str]:
    from tests.config.test_settings import run_django

    result = run_django(f"from django.conf import settings as s; {code}", env, tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_on_redis_one_visibility_timeout_above_the_scoring_hard_limit_and_deadline(tmp_path):
    """C1: with Redis, an unacked message comes back after the visibility timeout, so it
    must outlast any scoring job (else a running job is delivered twice)."""
    printed = _settings_in_a_subprocess(
        "print(s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'], "
        "s.CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS['visibility_timeout'], "
        "s.VISIBILITY_TIMEOUT_S, s.TUNEBENCH_RUN_SCORE_TIME_LIMIT_S, "
        "s.TUNEBENCH_RUN_SCORE_DEADLINE_S)",
        {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"},
        tmp_path,
    )
    broker, results, visibility, hard, deadline = map(int, printed)
    assert broker == results == visibility
    assert visibility > deadline > hard


def test_scoring_limits_and_sweeper_delays_follow_the_environment(tmp_path):
    printed = _settings_in_a_subprocess(
        "print(s.TUNEBENCH_RUN_SCORE_SOFT_TIME_LIMIT_S, s.TUNEBENCH_RUN_SCORE_TIME_LIMIT_S, "
        "s.TUNEBENCH_RUN_SCORE_DEADLINE_S, s.TUNEBENCH_RUN_RESEND_AFTER_S, "
        "s.CELERY_BEAT_SCHEDULE['requeue-stuck-runs']['schedule'])",
        {
            "TUNEBENCH_RUN_SCORE_SOFT_TIME_LIMIT_S": "20",
            "TUNEBENCH_RUN_SCORE_TIME_LIMIT_S": "25",
            "TUNEBENCH_RUN_SCORE_DEADLINE_S": "30",
            "TUNEBENCH_RUN_RESEND_AFTER_S": "60",
            "TUNEBENCH_RUN_SWEEP_INTERVAL_S": "5",
        },
        tmp_path,
    )
    assert printed == ["20", "25", "30", "60", "5"]


def test_a_scoring_soft_limit_not_below_the_hard_limit_is_refused(tmp_path):
    from tests.config.test_settings import run_django

    result = run_django(
        "",
        {
            "TUNEBENCH_RUN_SCORE_SOFT_TIME_LIMIT_S": "30",
            "TUNEBENCH_RUN_SCORE_TIME_LIMIT_S": "30",
        },
        tmp_path,
    )
    assert result.returncode != 0
    assert "scoring soft time limit must be below its hard limit" in result.stderr


def test_beat_sweeps_stuck_runs_more_often_than_it_would_resend_them():
    (sweep,) = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "runs.requeue_stuck_runs"
    ]
    assert sweep["options"]["queue"] == "default"
    assert "runs.requeue_stuck_runs" in _our_jobs()
    assert sweep["schedule"] < settings.TUNEBENCH_RUN_RESEND_AFTER_S
    assert sweep["schedule"] < settings.TUNEBENCH_RUN_SCORE_DEADLINE_S


def test_scoring_jobs_go_to_the_score_queue():
    _our_jobs()
    assert app.amqp.router.route({}, "runs.score_run")["queue"].name == "score"
    assert app.amqp.router.route({}, "runs.requeue_stuck_runs")["queue"].name == "default"


PRIMITIVES = {int, str, float, bool}


def test_jobs_take_only_primitive_ids_and_writers_carry_an_attempt_token():
    """C2: a message carries ids and JSON primitives, never models, frames or paths; a job
    that writes a row names it by id and carries the attempt it was sent for."""
    import inspect
    import typing

    for name, job in _our_jobs().items():
        signature = inspect.signature(job.run)
        hints = typing.get_type_hints(job.run)
        for parameter in signature.parameters.values():
            assert parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY), (
                name,
                parameter,
            )
            assert hints.get(parameter.name) in PRIMITIVES, (name, parameter.name, hints)
            assert parameter.default is parameter.empty or isinstance(
                parameter.default, (*PRIMITIVES, type(None))
            ), (name, parameter)
        ids = [p for p in signature.parameters if p.endswith("_id")]
        if ids:
            assert list(signature.parameters) == [*ids, "attempt"], (name, signature)
    score = inspect.signature(_our_jobs()["runs.score_run"].run)
    assert list(score.parameters) == ["run_id", "attempt"]


def _first_party_sources() -> list:
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    folders = [p for p in repo.iterdir() if (p / "__init__.py").exists()]
    folders.append(repo / "client" / "src")
    return sorted(
        path
        for folder in folders
        if folder.name != "tests"
        for path in folder.rglob("*.py")
        if "migrations" not in path.parts
    )


def test_no_countdown_or_eta_beyond_half_the_visibility_timeout():
    """C14: a message delayed past the visibility timeout is delivered again and again
    (Redis); delayed work goes through beat and database rows instead."""
    import ast

    limit = settings.VISIBILITY_TIMEOUT_S / 2
    sources = _first_party_sources()
    assert any(path.parts[-2:] == ("runs", "jobs.py") for path in sources)
    offenders = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg not in ("countdown", "eta"):
                    continue
                value = keyword.value
                if not (
                    keyword.arg == "countdown"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, int | float)
                    and value.value <= limit
                ):
                    offenders.append(f"{path}:{node.lineno} {keyword.arg}={ast.unparse(value)}")
    assert offenders == []
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert not {"countdown", "eta"} & set(entry.get("options", {})), entry
    for name, job in _our_jobs().items():
        # Automatic retries wait up to retry_backoff_max (or default_retry_delay).
        if getattr(job, "autoretry_for", ()):
            wait = job.retry_backoff_max if job.retry_backoff else job.default_retry_delay
            assert wait <= limit, (name, wait)
