"""Server-side execution: submit a configuration, dispatch runs fairly, execute them in the
sandbox, then score them with the same scorer as uploaded runs.

``submit_configuration`` validates everything at once (the registry's space, the seeds, the
task type) and answers every problem in one error; it then stores the configuration (one
row per distinct set of values) and one *server* run per seed, all in one transaction. A
seed already executed, or waiting, for the same task, configuration, person and team is
not run again: its run is returned.

Runs do not go to the broker when submitted. They wait in the database, and
``dispatch_runs`` sends the next ones whenever a slot frees (on commit of a submission, at
the end of every execution, and from the sweeper): at most ``TUNEBENCH_EXECUTE_SLOTS``
messages are out at once, at most ``TUNEBENCH_EXECUTE_CONCURRENCY`` per team (or per
person, for runs without a team), and the waiting line is ordered round-robin across teams
(each team's first waiting run, then each team's second, ...; by id within a team), so one
team's 500 runs do not starve another team's one. A run's place in that order is its queue
position.

``execute_run`` (the job of queue "execute") claims the run with its attempt token,
prepares a job directory holding only what the model may see (the task's feature and
target columns, its splits, the configuration), runs it in the sandbox
(``runs.sandbox``: a forked child with memory, CPU and wall-clock limits, one thread, no
database, no credentials), checks the child's predictions with the validator uploads go
through, stores them, and scores them with ``runs.services.score_run``. A configuration
that exceeds its limits fails with ``memory_limit`` or ``timeout``; a child killed by a
signal we did not send is tried again with a new attempt, up to ``MAX_ATTEMPTS``, then
fails ``crashed``; a job that killed its worker ``MAX_DELIVERIES`` times fails
``worker_lost_repeatedly`` (``score_run``'s rule).
"""

from __future__ import annotations

import json
import logging
import shutil
import socket
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Membership, Team, User
from datasets import storage
from datasets.models import Feature
from flows.exceptions import InvalidConfiguration
from flows.models import Configuration, Flow
from flows.services import (
    executable_flow,
    get_or_create_configuration,
    registry_estimator,
    registry_parameters,
)
from runs.exceptions import NotATeamMember, QuotaExceeded
from runs.models import Evaluation, Run, RunFile, RunTag
from runs.services import (
    MAX_ATTEMPTS,
    MAX_DELIVERIES,
    MAX_DESCRIPTION,
    _clean_tags,
    _visible_active_task,
    checked_path,
    fail_run,
    predictions_path,
    score_run,
)
from tasks.models import Task, TaskType
from tasks.services import load_splits

logger = logging.getLogger(__name__)

MAX_SEEDS = 25
MAX_SEED = 2**32 - 1
DEFAULT_SEEDS = (0, 1, 2, 3, 4)
MAX_SCAN = 20_000  # waiting runs the dispatcher orders at once
# Failures that are the platform's fault, not the configuration's: not counted in quotas.
PLATFORM_FAILURES = frozenset(
    {
        "crashed",
        "sandbox_error",
        "worker_lost_repeatedly",
        "execution_stalled",
        "scoring_stalled",
        "scoring_error",
        "checksum_mismatch",
    }
)


@dataclass
class Submission:
    task: Task
    flow: Flow
    configuration: Configuration
    runs: list[Run]
    reused: list[bool]  # per run: True when that seed had a run already


# -- submission --------------------------------------------------------------------------


def submit_configuration(
    *,
    submitter: User,
    task_id: int,
    estimator: Any,
    parameters: Any = None,
    seeds: Any = DEFAULT_SEEDS,
    team: Team | None = None,
    tags: Iterable[str] = (),
    description: str = "",
) -> Submission:
    """Validate a configuration and store one server run per seed; dispatched on commit.

    Raises ``InvalidRun`` for the task, ``InvalidConfiguration`` naming every problem of
    the estimator, its parameters and the seeds, ``NotATeamMember``, ``QuotaExceeded``.
    Nothing is stored when it raises.
    """
    task = _visible_active_task(submitter, task_id)
    problems: list[dict[str, str]] = []
    values: dict[str, Any] | None = None
    try:
        described = registry_estimator(estimator)
    except InvalidConfiguration as exc:
        problems.extend(_problems_of(exc))
        described = None
    if described is not None:
        if task.task_type not in described["task_types"]:
            kind = "classification" if task.task_type == TaskType.CLASSIFICATION else "regression"
            problems.append(
                {
                    "field": "estimator",
                    "code": "wrong_task_type",
                    "message": f"{described['class_name']} does not do {kind} (task {task.pk}).",
                }
            )
        try:
            values = registry_parameters(estimator, parameters if parameters is not None else {})
        except InvalidConfiguration as exc:
            problems.extend(_problems_of(exc))
    clean_seeds = _clean_seeds(seeds, problems)
    if problems:
        raise InvalidConfiguration(problems)
    if team is not None and not Membership.objects.filter(team=team, user=submitter).exists():
        raise NotATeamMember(f"You are not a member of team {team.name!r}.", field="team_id")
    tag_list = _clean_tags(tags)
    if len(description) > MAX_DESCRIPTION:
        raise InvalidConfiguration(
            [
                {
                    "field": "description",
                    "code": "too_long",
                    "message": f"At most {MAX_DESCRIPTION:,} characters.",
                }
            ]
        )

    with transaction.atomic():
        # One submission per owner at a time past this point, so two cannot both take the
        # quota's last places (a row lock on MySQL; SQLite serialises writers anyway).
        _lock_owner(submitter, team)
        flow = executable_flow(estimator)
        configuration, _ = get_or_create_configuration(flow=flow, parameters=values)
        existing = {
            run.seed: run
            for run in Run.objects.filter(
                task=task,
                configuration=configuration,
                origin=Run.Origin.SERVER,
                uploader=submitter,
                team=team,
                seed__in=clean_seeds,
            ).exclude(status=Run.Status.FAILED)
        }
        new_seeds = [seed for seed in clean_seeds if seed not in existing]
        _check_quota(submitter, team, len(new_seeds))
        created = {
            seed: Run.objects.create(
                task=task,
                flow=flow,
                configuration=configuration,
                uploader=submitter,
                team=team,
                origin=Run.Origin.SERVER,
                seed=seed,
                description=description,
            )
            for seed in new_seeds
        }
        RunTag.objects.bulk_create(
            [RunTag(run=run, tag=t) for run in created.values() for t in tag_list],
            ignore_conflicts=True,
        )
        if created:
            # Dispatched on commit, in this process: a job for it would cost a broker hop
            # per run (40-100 ms on the embedded broker, bench/execute.py). If it fails,
            # the runs wait for the sweeper's dispatch (every minute).
            transaction.on_commit(dispatch_runs, robust=True)
    runs = [existing.get(seed) or created[seed] for seed in clean_seeds]
    logger.info(
        "configuration submitted task=%s configuration=%s new_runs=%s",
        task.pk,
        configuration.pk,
        len(created),
    )
    return Submission(
        task=task,
        flow=flow,
        configuration=configuration,
        runs=runs,
        reused=[seed in existing for seed in clean_seeds],
    )


def _problems_of(exc: InvalidConfiguration) -> list[dict[str, str]]:
    return [
        {"field": field, "code": item["code"], "message": item["message"]}
        for field, items in exc.errors.items()
        for item in items
    ]


def _clean_seeds(seeds: Any, problems: list[dict[str, str]]) -> list[int]:
    if seeds is None:
        return list(DEFAULT_SEEDS)
    if not isinstance(seeds, list | tuple) or not seeds:
        problems.append(
            {"field": "seeds", "code": "bad_type", "message": "a non-empty list of integers"}
        )
        return []
    if len(seeds) > MAX_SEEDS:
        problems.append(
            {"field": "seeds", "code": "too_many", "message": f"at most {MAX_SEEDS} seeds"}
        )
        return []
    clean: list[int] = []
    for index, seed in enumerate(seeds):
        where = f"seeds.{index}"
        if not isinstance(seed, int) or isinstance(seed, bool):
            problems.append({"field": where, "code": "bad_type", "message": "a seed is an integer"})
        elif not 0 <= seed <= MAX_SEED:
            problems.append(
                {"field": where, "code": "out_of_range", "message": f"between 0 and {MAX_SEED}"}
            )
        elif seed in clean:
            problems.append({"field": where, "code": "duplicate", "message": f"{seed} is repeated"})
        else:
            clean.append(seed)
    return clean


# -- quotas and fairness -----------------------------------------------------------------


def _owner_filter(user: User, team: Team | None) -> Q:
    return Q(team=team) if team is not None else Q(team__isnull=True, uploader=user)


def quota_usage(user: User, team: Team | None) -> dict[str, int]:
    """Server runs of this team (or of this person without a team) in the last 24 hours,
    counted as the quota counts them: every run except those that failed because of the
    platform (``PLATFORM_FAILURES``)."""
    since = timezone.now() - timedelta(days=1)
    used = (
        Run.objects.filter(
            _owner_filter(user, team), origin=Run.Origin.SERVER, created_at__gte=since
        )
        .exclude(status=Run.Status.FAILED, error_code__in=PLATFORM_FAILURES)
        .count()
    )
    limit = settings.TUNEBENCH_EXECUTE_DAILY_QUOTA
    return {"used": used, "limit": limit, "remaining": max(0, limit - used)}


def _lock_owner(user: User, team: Team | None) -> None:
    owner = Team.objects.filter(pk=team.pk) if team is not None else User.objects.filter(pk=user.pk)
    list(owner.select_for_update().values_list("pk", flat=True))


def _check_quota(user: User, team: Team | None, wanted: int) -> None:
    if not wanted:
        return
    usage = quota_usage(user, team)
    if usage["used"] + wanted > usage["limit"]:
        whose = f"Team {team.name!r}" if team is not None else "You"
        raise QuotaExceeded(
            f"{whose} may start {usage['limit']} server runs per 24 hours; "
            f"{usage['used']} are counted and this submission needs {wanted}.",
            field="seeds",
            extensions={"used": usage["used"], "limit": usage["limit"]},
        )


def _owner(team_id: int | None, uploader_id: int) -> tuple[str, int]:
    return ("team", team_id) if team_id is not None else ("user", uploader_id)


def _server_runs():
    return Run.objects.filter(origin=Run.Origin.SERVER)


def _in_flight():
    return _server_runs().filter(
        Q(status__in=(Run.Status.RUNNING, Run.Status.SCORING))
        | Q(status=Run.Status.QUEUED, enqueued_at__isnull=False)
    )


def _waiting_line(busy: Counter | None = None) -> list[tuple[int, int, int | None, int]]:
    """Waiting server runs ``(id, attempt, team_id, uploader_id)`` in dispatch order:
    round-robin over owners, by id within an owner, where an owner's runs already out
    (``busy``) count as its first places, so a team with two runs executing comes after a
    team with none. (Ordered in Python over at most ``MAX_SCAN`` rows: the rank is a
    per-owner row number plus a per-owner offset, which one SQL query could compute, but
    not more simply.)"""
    if busy is None:
        busy = Counter(
            _owner(team_id, uploader_id)
            for team_id, uploader_id in _in_flight().values_list("team_id", "uploader_id")
        )
    waiting = _server_runs().filter(status=Run.Status.QUEUED, enqueued_at__isnull=True)
    rows = list(
        waiting.order_by("id").values_list("pk", "attempt", "team_id", "uploader_id")[:MAX_SCAN]
    )
    rank: Counter = Counter(busy)
    keyed = []
    for row in rows:
        owner = _owner(row[2], row[3])
        keyed.append((rank[owner], row[0], row))
        rank[owner] += 1
    keyed.sort()
    return [row for _, _, row in keyed]


def queue_positions(run_ids: Sequence[int]) -> dict[int, int]:
    """1-based places in the waiting line of the given runs that are waiting."""
    wanted = set(run_ids)
    return {row[0]: place for place, row in enumerate(_waiting_line(), start=1) if row[0] in wanted}


def queue_positions_of(runs: Iterable[Run]) -> dict[int, int]:
    """``queue_positions`` of those of ``runs`` that wait (no query when none does)."""
    waiting = [run.pk for run in runs if run.is_waiting]
    return queue_positions(waiting) if waiting else {}


def dispatch_runs() -> int:
    """Send the next waiting runs to the broker, as far as slots and team limits allow.
    Safe to call from anywhere at any time: a run is sent once per attempt (a conditional
    update claims it). Returns how many were sent."""
    in_flight = list(_in_flight().values_list("team_id", "uploader_id"))
    free = settings.TUNEBENCH_EXECUTE_SLOTS - len(in_flight)
    if free <= 0:
        return 0
    busy = Counter(_owner(team_id, uploader_id) for team_id, uploader_id in in_flight)
    now = timezone.now()
    sent = 0
    for run_id, attempt, team_id, uploader_id in _waiting_line(Counter(busy)):
        if sent >= free:
            break
        owner = _owner(team_id, uploader_id)
        if busy[owner] >= settings.TUNEBENCH_EXECUTE_CONCURRENCY:
            continue
        with transaction.atomic():
            claimed = Run.objects.filter(
                pk=run_id, attempt=attempt, status=Run.Status.QUEUED, enqueued_at__isnull=True
            ).update(enqueued_at=now)
            if claimed:
                enqueue_execution(run_id, attempt)
        if claimed:
            busy[owner] += 1
            sent += 1
    if sent:
        logger.info("runs dispatched %s", sent)
    return sent


def enqueue_execution(run_id: int, attempt: int) -> None:
    from runs.jobs import execute_run_job

    transaction.on_commit(lambda: execute_run_job.delay(run_id, attempt), robust=True)


def requeue_execution(run_id: int, attempt: int, status: str, *, stalled: bool) -> bool:
    """Give a server run a new attempt and put it back in the waiting line, at its old
    place (its id), unless it moved on meanwhile."""
    with transaction.atomic():
        moved = Run.objects.filter(pk=run_id, attempt=attempt, status=status).update(
            status=Run.Status.QUEUED,
            attempt=attempt + 1,
            deliveries=0,
            stalls=F("stalls") + (1 if stalled else 0),
            enqueued_at=None,
            started_at=None,
        )
        if moved:
            transaction.on_commit(dispatch_runs, robust=True)
    return bool(moved)


# -- execution ---------------------------------------------------------------------------


def execute_run(*, run_id: int, attempt: int, count_delivery: bool = True) -> None:
    """Execute one attempt of a server run in the sandbox, then score it. Idempotent."""
    from celery.exceptions import SoftTimeLimitExceeded

    try:
        _execute(run_id=run_id, attempt=attempt, count_delivery=count_delivery)
    except SoftTimeLimitExceeded:
        sandbox().close()  # its child may still be running: stop it with the zygote
        fail_run(
            run_id=run_id,
            attempt=attempt,
            code="timeout",
            message="The run took longer than the execution time limit.",
        )
    finally:
        record_verification(run_id)  # a re-execution: compare it with the uploaded run
        dispatch_runs()  # a slot is free (or was never taken): send the next run


def sandbox():
    """This process's sandbox (``runs.sandbox``), with the settings' options."""
    from runs.sandbox import get_sandbox

    return get_sandbox(
        testing=settings.TUNEBENCH_TEST_ESTIMATORS, user=settings.TUNEBENCH_SANDBOX_USER
    )


def _execute(*, run_id: int, attempt: int, count_delivery: bool) -> None:
    from runs.sandbox import Limits

    now = timezone.now()
    claimed = Run.objects.filter(
        pk=run_id,
        attempt=attempt,
        origin=Run.Origin.SERVER,
        status__in=(Run.Status.QUEUED, Run.Status.RUNNING),
    ).update(
        status=Run.Status.RUNNING,
        started_at=now,
        updated_at=now,
        deliveries=F("deliveries") + (1 if count_delivery else 0),
    )
    if not claimed:
        logger.info("execution skipped run=%s attempt=%s: not ours to run", run_id, attempt)
        return
    run = Run.objects.select_related("task", "task__dataset", "configuration", "flow").get(
        pk=run_id
    )
    if run.deliveries > MAX_DELIVERIES:
        fail_run(
            run_id=run_id,
            attempt=attempt,
            code="worker_lost_repeatedly",
            message=(
                f"Executing this run stopped the worker {run.deliveries - 1} times; "
                "it will not be tried again."
            ),
        )
        return
    limits = Limits(
        memory_mb=settings.TUNEBENCH_EXECUTE_MEMORY_MB,
        wall_seconds=settings.TUNEBENCH_EXECUTE_WALL_S,
        cpu_seconds=settings.TUNEBENCH_EXECUTE_CPU_S,
    )
    job_dir = _job_dir(run)
    try:
        splits = _write_job(run, job_dir)
        outcome = sandbox().execute(job_dir, limits)
        resources = {
            "peak_memory_mb": round(outcome.peak_memory_mb, 1),
            "cpu_seconds": round(outcome.cpu_seconds, 3),
            "wall_seconds": round(outcome.wall_seconds, 3),
            "memory_limit_mb": limits.memory_mb,
            "wall_limit_seconds": limits.wall_seconds,
        }
        if outcome.status != "ok":
            _failed_execution(run, attempt, outcome, resources)
            return
        environment = {
            **outcome.environment,
            "worker": socket.gethostname(),
            "sandbox": {"threads": 1, **{k: v for k, v in resources.items() if "limit" in k}},
        }
        _store_predictions(run, attempt, job_dir, splits, environment, outcome, resources)
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
    # The same scorer as an uploaded run's (its job's rules: checksums, one result kept).
    score_run(run_id=run_id, attempt=attempt, count_delivery=False)


def _job_dir(run: Run) -> Path:
    root = Path(settings.VAR_DIR) / "executions"
    root.mkdir(parents=True, exist_ok=True)
    job_dir = root / f"run-{run.pk}-{run.attempt}-{uuid.uuid4().hex[:8]}"
    job_dir.mkdir(mode=0o700)
    return job_dir


def _write_job(run: Run, job_dir: Path):
    """What the sandboxed child may read: the configuration, the task's features and
    target (no other column of the dataset), and the splits."""
    import numpy as np
    import pyarrow.parquet as pq

    task = run.task
    features = list(
        Feature.objects.filter(dataset_id=task.dataset_id, is_row_id=False, is_ignored=False)
        .exclude(name=task.target_name)
        .order_by("index")
        .values_list("name", flat=True)
    )
    table = pq.read_table(
        storage.file_path(task.dataset_id, "parquet"), columns=[*features, task.target_name]
    )
    splits = load_splits(task.pk)
    table = _hide_test_only_labels(table, task.target_name, splits)
    pq.write_table(table, job_dir / "data.parquet", compression="none")
    np.savez(job_dir / "splits.npz", assignment=splits.assignment, folds=np.int64(splits.folds))
    job = {
        "estimator": run.flow.estimator,
        "parameters": run.configuration.parameters,
        "seed": run.seed,
        "task_type": task.task_type,
        "class_labels": task.class_labels,
        "target": task.target_name,
    }
    (job_dir / "job.json").write_text(json.dumps(job, allow_nan=False))
    return splits


def never_trained(splits):
    """Rows that are in no fold's training set (a holdout's test rows): their labels are the
    task's hidden labels and never enter the sandbox (reliability-checklist INV-4, S13)."""
    import numpy as np

    if splits.folds > 1:  # every row trains the folds it does not test
        return np.zeros(splits.n_rows, dtype=bool)
    return (splits.assignment >= 0).all(axis=0)


def _hide_test_only_labels(table, target: str, splits):
    import pyarrow as pa
    import pyarrow.compute as pc

    hidden = never_trained(splits)
    if not hidden.any():
        return table
    column = table.column(target)
    masked = pc.if_else(pa.array(hidden), pa.nulls(len(hidden), column.type), column)
    return table.set_column(table.schema.get_field_index(target), target, masked)


def _failed_execution(run: Run, attempt: int, outcome, resources: Mapping[str, Any]) -> None:
    Run.objects.filter(pk=run.pk, attempt=attempt).update(resources=dict(resources))
    if outcome.retryable and run.stalls + 1 < MAX_ATTEMPTS:
        logger.warning(
            "execution attempt lost run=%s attempt=%s code=%s: trying again",
            run.pk,
            attempt,
            outcome.code,
        )
        requeue_execution(run.pk, attempt, Run.Status.RUNNING, stalled=True)
        return
    message = outcome.message
    if outcome.retryable:
        message = f"{message} ({run.stalls + 1} attempts)"
    fail_run(run_id=run.pk, attempt=attempt, code=outcome.code, message=message[:2000])


def _store_predictions(
    run: Run,
    attempt: int,
    job_dir: Path,
    splits,
    environment: Mapping[str, Any],
    outcome,
    resources: Mapping[str, Any],
) -> None:
    """Check the child's predictions as an upload's, then store them and move the run to
    scoring, in one transaction conditional on the attempt."""
    from tunebench import engine

    produced = job_dir / "predictions.parquet"
    task = run.task
    try:
        validated = engine.validate_predictions(
            engine.read_predictions(produced),
            splits,
            task_type=task.task_type,
            class_labels=task.class_labels,
        )
    except (engine.DataFormatError, engine.PredictionsError) as exc:
        # Our own pipeline produced them: this is a bug, not the configuration's fault.
        logger.error("server predictions refused run=%s: %s", run.pk, exc)
        fail_run(
            run_id=run.pk,
            attempt=attempt,
            code="invalid_server_predictions",
            message=f"The server's predictions did not fit the task ({exc}).",
        )
        return
    checked = job_dir / "checked.parquet"
    engine.write_checked_predictions(validated, checked)
    sums = engine.file_checksums(produced)
    checked_sums = engine.file_checksums(checked)
    with transaction.atomic():
        moved = Run.objects.filter(pk=run.pk, attempt=attempt, status=Run.Status.RUNNING).update(
            status=Run.Status.SCORING,
            started_at=timezone.now(),
            environment=dict(environment),
            fold_timings=list(outcome.timings),
            resources=dict(resources),
        )
        if not moved:
            logger.info("execution dropped run=%s attempt=%s: superseded", run.pk, attempt)
            return
        RunFile.objects.filter(run_id=run.pk).delete()
        RunFile.objects.bulk_create(
            [
                RunFile(
                    run_id=run.pk,
                    kind="predictions",
                    format="parquet",
                    size=sums.size,
                    md5=sums.md5,
                    sha256=sums.sha256,
                ),
                RunFile(
                    run_id=run.pk,
                    kind="checked",
                    format="parquet",
                    size=checked_sums.size,
                    md5=checked_sums.md5,
                    sha256=checked_sums.sha256,
                ),
            ]
        )
        target = predictions_path(run.pk, "parquet")
        target.parent.mkdir(parents=True, exist_ok=True)
        storage.move_into_place(produced, target)
        storage.move_into_place(checked, checked_path(run.pk))


# -- re-verification ---------------------------------------------------------------------

# Confidences (and regression predictions) agree when they differ by at most this much: an
# upload that went through CSV text keeps about 17 significant digits, not every bit.
MATCH_TOLERANCE = 1e-9


def reverify_run(*, requester: User, run_id: int) -> Run:
    """Have the server execute an uploaded run again: same task, configuration and seed.

    The uploaded run's flow must be executable (the server's flow for a registry estimator)
    and the run scored with a seed. Returns the server's run (an existing one when this run
    was already re-executed and that did not fail). The uploaded run's ``verification`` says
    ``pending`` until the server's run finishes, then ``match`` or ``mismatch`` (with the
    difference in every measure) or ``failed``. Counts toward the requester's quota.
    """
    from runs.exceptions import NotExecutable
    from runs.selectors import get_run

    run = get_run(viewer=requester, run_id=run_id)
    if run.origin != Run.Origin.UPLOADED:
        raise NotExecutable(
            "This run was executed by the server already; it is verified.",
            code="already_verified",
        )
    if not run.flow.is_executable:
        raise NotExecutable(
            f"Flow {run.flow_id} ({run.flow.name}) is not one the server can execute; only "
            "runs of the server's executable flows (tunebench.<estimator>) can be re-executed.",
        )
    if run.seed is None:
        raise NotExecutable("The run has no seed, so it cannot be reproduced.", code="no_seed")
    if run.status != Run.Status.DONE:
        raise NotExecutable(
            f"The run is {run.status}; only a scored run can be compared.", code="not_scored"
        )
    with transaction.atomic():
        existing = (
            Run.objects.filter(verifies=run, origin=Run.Origin.SERVER)
            .exclude(status=Run.Status.FAILED)
            .order_by("id")
            .first()
        )
        if existing is not None:
            return existing
        _lock_owner(requester, None)
        _check_quota(requester, None, 1)
        server_run = Run.objects.create(
            task=run.task,
            flow=run.flow,
            configuration=run.configuration,
            uploader=requester,
            team=None,
            origin=Run.Origin.SERVER,
            seed=run.seed,
            verifies=run,
            description=f"Re-execution of run {run.pk} to verify it.",
        )
        Run.objects.filter(pk=run.pk).update(
            verification={"run": server_run.pk, "status": "pending"}
        )
        transaction.on_commit(dispatch_runs, robust=True)
    logger.info("re-verification requested run=%s server_run=%s", run.pk, server_run.pk)
    return server_run


def record_verification(server_run_id: int) -> None:
    """Compare a finished re-execution with the uploaded run it verifies (idempotent)."""
    from tunebench import engine

    server_run = Run.objects.select_related("verifies").filter(pk=server_run_id).first()
    if server_run is None or server_run.verifies_id is None or not server_run.is_finished:
        return
    uploaded = server_run.verifies
    outcome: dict[str, Any] = {"run": server_run.pk}
    if server_run.status == Run.Status.FAILED:
        outcome.update(status="failed", error=server_run.error_code)
    else:
        ours = engine.read_checked_predictions(checked_path(server_run.pk))
        theirs = engine.read_checked_predictions(checked_path(uploaded.pk))
        mismatched = _mismatched_rows(ours, theirs)
        values = {
            run_id: dict(Evaluation.objects.filter(run_id=run_id).values_list("measure", "value"))
            for run_id in (server_run.pk, uploaded.pk)
        }
        differences = {
            measure: (
                value - values[uploaded.pk][measure]
                if value is not None and values[uploaded.pk].get(measure) is not None
                else None
            )
            for measure, value in sorted(values[server_run.pk].items())
        }
        outcome.update(
            status="match" if mismatched == 0 else "mismatch",
            predictions_match=mismatched == 0,
            mismatched_rows=mismatched,
            differences=differences,
        )
    # Only the latest re-execution speaks for the run.
    Run.objects.filter(pk=uploaded.pk, verification__run=server_run.pk).update(verification=outcome)


def _mismatched_rows(ours, theirs) -> int:
    """Test rows on which two runs' predictions differ (labels exactly, numbers and
    confidences beyond ``MATCH_TOLERANCE``); both are sorted by (repeat, fold, row_id)."""
    import numpy as np

    if len(ours.row_id) != len(theirs.row_id):
        return max(len(ours.row_id), len(theirs.row_id))
    if ours.y_pred.dtype.kind == "f":
        differs = ~np.isclose(ours.y_pred, theirs.y_pred, rtol=0, atol=MATCH_TOLERANCE)
    else:
        differs = ours.y_pred != theirs.y_pred
    if ours.proba is not None and theirs.proba is not None:
        differs |= ~np.isclose(ours.proba, theirs.proba, rtol=0, atol=MATCH_TOLERANCE).all(axis=1)
    return int(differs.sum())
