"""Writes for runs: accept an uploaded run, score it (a worker job), and sweep stuck runs.

An upload is checked completely before anything is stored: the task must be visible and
active, the flow and parameter values must fit, and the predictions must cover every test
row of the task's splits exactly once with valid labels and confidences (the engine's
validator, the same one the client runs). Only then are the configuration, the run, its
tags and its file written, in one transaction, and the scoring job enqueued on commit.

Scoring is idempotent (reliability-checklist.md C2-C5, C8, C15): a job carries the run's
``attempt``; it claims the run with a conditional UPDATE, recomputes everything from the
stored files, and writes the evaluations in the same transaction as the conditional move
to ``done``, so a duplicate or stale delivery leaves exactly one set. A run whose job
killed its worker ``MAX_DELIVERIES`` times fails with ``worker_lost_repeatedly``; the
sweeper re-sends runs whose message was lost and gives stalled runs a new attempt, up to
``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Membership, Team, User
from datasets import storage
from flows.models import Configuration, Flow
from flows.services import MAX_TAGS, check_json_value, get_or_create_configuration, unique_tags
from runs.exceptions import InvalidPredictions, InvalidRun, NotATeamMember
from runs.models import Evaluation, Run, RunFile, RunTag
from tasks.models import Task
from tasks.selectors import visible_tasks
from tasks.services import load_splits

logger = logging.getLogger(__name__)

MAX_DELIVERIES = 3
MAX_ATTEMPTS = 3
MAX_ENVIRONMENT_BYTES = 64 * 1024
MAX_DESCRIPTION = 100_000
EXTENSIONS = {"parquet": "parquet", "csv": "csv", "arff": "arff", "sparse_arff": "arff"}


def predictions_path(run_id: int, file_format: str) -> Path:
    """The predictions exactly as uploaded."""
    return (
        Path(settings.MEDIA_ROOT) / "runs" / str(run_id) / f"predictions.{EXTENSIONS[file_format]}"
    )


def checked_path(run_id: int) -> Path:
    """The validated predictions in the engine's canonical form, which the scorer reads."""
    return Path(settings.MEDIA_ROOT) / "runs" / str(run_id) / "checked.parquet"


# -- upload ------------------------------------------------------------------------------


def upload_run(
    *,
    uploader: User,
    task_id: int,
    chunks: Iterable[bytes],
    flow_id: int | None = None,
    parameters: Mapping[str, Any] | None = None,
    configuration_id: int | None = None,
    seed: int | None = None,
    environment: Mapping[str, Any] | None = None,
    fold_timings: list[Any] | None = None,
    team: Team | None = None,
    tags: Iterable[str] = (),
    description: str = "",
) -> Run:
    """Check and store an uploaded run, then enqueue its scoring. Nothing is stored on error.

    Give ``configuration_id``, or ``flow_id`` with ``parameters`` (missing values take the
    flow's defaults). Raises ``InvalidRun``/``InvalidParameters`` naming the field,
    ``InvalidPredictions`` with the problems and their rows, ``NotATeamMember``.
    """
    task = _visible_active_task(uploader, task_id)
    flow, configuration = _flow_and_configuration(flow_id, configuration_id, parameters)
    if team is not None and not Membership.objects.filter(team=team, user=uploader).exists():
        raise NotATeamMember(f"You are not a member of team {team.name!r}.", field="team_id")
    environment = _clean_environment(environment)
    fold_timings = _clean_fold_timings(fold_timings, task)
    tag_list = _clean_tags(tags)
    if len(description) > MAX_DESCRIPTION:
        raise InvalidRun(
            f"At most {MAX_DESCRIPTION:,} characters.", code="too_long", field="description"
        )

    staged = storage.temp_path_beside(storage.staging_dir() / f"run-{uploader.pk}.upload")
    checked = staged.with_name(staged.name + ".checked")
    run_dir: Path | None = None
    try:
        size, md5, sha256 = storage.copy_with_checksums(chunks, staged)
        file_format, validated = _check_predictions(staged, task)
        checked_sums = _write_checked(validated, checked)
        with transaction.atomic():
            if configuration is None:
                configuration, _ = get_or_create_configuration(flow=flow, parameters=parameters)
            run = Run.objects.create(
                task=task,
                flow=flow,
                configuration=configuration,
                uploader=uploader,
                team=team,
                origin=Run.Origin.UPLOADED,
                seed=seed,
                environment=environment,
                fold_timings=fold_timings,
                description=description,
                enqueued_at=timezone.now(),
            )
            RunFile.objects.bulk_create(
                [
                    RunFile(
                        run=run,
                        kind="predictions",
                        format=file_format,
                        size=size,
                        md5=md5,
                        sha256=sha256,
                    ),
                    RunFile(
                        run=run,
                        kind="checked",
                        format="parquet",
                        size=checked_sums.size,
                        md5=checked_sums.md5,
                        sha256=checked_sums.sha256,
                    ),
                ]
            )
            RunTag.objects.bulk_create(
                [RunTag(run=run, tag=t) for t in tag_list],
                ignore_conflicts=True,  # tags equal under MySQL's collation but not casefold
            )
            run_dir = checked_path(run.pk).parent
            storage.move_into_place(staged, predictions_path(run.pk, file_format))
            storage.move_into_place(checked, checked_path(run.pk))
            enqueue_scoring(run)
    except BaseException:
        staged.unlink(missing_ok=True)
        checked.unlink(missing_ok=True)
        if run_dir is not None:
            shutil.rmtree(run_dir, ignore_errors=True)
        raise
    logger.info("run uploaded id=%s task=%s flow=%s", run.pk, task.pk, flow.pk)
    return run


def _visible_active_task(uploader: User, task_id: int) -> Task:
    task = (
        visible_tasks(viewer=uploader)
        .select_related("dataset", "estimation_procedure")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise InvalidRun(
            f"There is no task {task_id} you can see.", code="unknown_task", field="task"
        )
    if task.status != Task.Status.ACTIVE:
        raise InvalidRun(
            f"Task {task_id} is {task.status}; runs need an active task (its splits stored).",
            code="task_not_active",
            field="task",
        )
    return task


def _flow_and_configuration(
    flow_id: int | None, configuration_id: int | None, parameters: Mapping[str, Any] | None
) -> tuple[Flow, Configuration | None]:
    """The run's flow, and its configuration when one was named (else made on commit).

    Parameter values are checked here, before the predictions, so a bad value is
    reported without reading the file; the configuration row itself is written only in
    the run's transaction.
    """
    from flows.services import canonical_parameters

    if configuration_id is not None:
        configuration = (
            Configuration.objects.select_related("flow").filter(pk=configuration_id).first()
        )
        if configuration is None:
            raise InvalidRun(
                f"There is no configuration {configuration_id}.",
                code="unknown_configuration",
                field="configuration",
            )
        if flow_id is not None and flow_id != configuration.flow_id:
            raise InvalidRun(
                f"Configuration {configuration_id} is of flow {configuration.flow_id}, "
                f"not {flow_id}.",
                code="flow_mismatch",
                field="flow",
            )
        if parameters is not None:
            raise InvalidRun(
                "Give a configuration or parameters, not both.",
                code="configuration_and_parameters",
                field="parameters",
            )
        return configuration.flow, configuration
    if flow_id is None:
        raise InvalidRun(
            "Name the run's flow (with its parameters) or its configuration.",
            code="required",
            field="flow",
        )
    flow = Flow.objects.filter(pk=flow_id).first()
    if flow is None:
        raise InvalidRun(f"There is no flow {flow_id}.", code="unknown_flow", field="flow")
    canonical_parameters(flow, parameters)  # raises InvalidParameters naming the key
    return flow, None


def _clean_environment(environment: Mapping[str, Any] | None) -> dict[str, Any]:
    if environment is None:
        return {}
    if not isinstance(environment, Mapping):
        raise InvalidRun("environment must be an object.", code="bad_type", field="environment")
    check_json_value(dict(environment), field="environment", exc=InvalidRun)
    if len(json.dumps(environment)) > MAX_ENVIRONMENT_BYTES:
        raise InvalidRun(
            f"environment is larger than {MAX_ENVIRONMENT_BYTES:,} bytes.",
            code="too_large",
            field="environment",
        )
    return dict(environment)


TIMING_KEYS = {"repeat", "fold", "fit_seconds", "predict_seconds"}


def _clean_fold_timings(timings: list[Any] | None, task: Task) -> list[dict[str, Any]]:
    if timings is None:
        return []
    procedure = task.estimation_procedure
    if not isinstance(timings, list):
        raise InvalidRun("fold_timings must be a list.", code="bad_type", field="fold_timings")
    check_json_value(timings, field="fold_timings", exc=InvalidRun)
    if len(timings) > procedure.repeats * procedure.folds:
        raise InvalidRun(
            f"fold_timings has {len(timings)} entries; the task has "
            f"{procedure.repeats * procedure.folds} folds.",
            code="too_many_folds",
            field="fold_timings",
        )
    clean, seen = [], set()
    for index, entry in enumerate(timings):
        where = f"fold_timings.{index}"
        if not isinstance(entry, Mapping) or not {"repeat", "fold"} <= set(entry) <= TIMING_KEYS:
            raise InvalidRun(
                "Each entry is an object with repeat, fold and optionally fit_seconds and "
                "predict_seconds.",
                code="bad_type",
                field=where,
            )
        repeat, fold = entry["repeat"], entry["fold"]
        for name, value, limit in (
            ("repeat", repeat, procedure.repeats),
            ("fold", fold, procedure.folds),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < limit:
                raise InvalidRun(
                    f"{name} must be an integer in 0..{limit - 1}.",
                    code="out_of_range",
                    field=f"{where}.{name}",
                )
        if (repeat, fold) in seen:
            raise InvalidRun(
                f"Repeat {repeat}, fold {fold} is timed twice.", code="duplicate_fold", field=where
            )
        seen.add((repeat, fold))
        item: dict[str, Any] = {"repeat": repeat, "fold": fold}
        for name in ("fit_seconds", "predict_seconds"):
            if name in entry and entry[name] is not None:
                value = entry[name]
                if (
                    not isinstance(value, int | float)
                    or isinstance(value, bool)
                    or not math.isfinite(value)
                    or value < 0
                ):
                    raise InvalidRun(
                        f"{name} must be a finite number of seconds, at least 0.",
                        code="out_of_range",
                        field=f"{where}.{name}",
                    )
                item[name] = float(value)
        clean.append(item)
    return sorted(clean, key=lambda t: (t["repeat"], t["fold"]))


def _clean_tags(tags: Iterable[str]) -> list[str]:
    tags = list(tags)
    check_json_value(tags, field="tags", exc=InvalidRun)
    cleaned = unique_tags(t for t in tags if t)
    if len(cleaned) > MAX_TAGS:
        raise InvalidRun(f"At most {MAX_TAGS} tags.", code="too_many_tags", field="tags")
    return cleaned


def _write_checked(predictions, path: Path):
    from tunebench import engine

    engine.write_checked_predictions(predictions, path)
    return engine.file_checksums(path)


def _check_predictions(path: Path, task: Task):
    """Validate the file against the task's splits; return (format, Predictions) or raise."""
    from tunebench import engine

    try:
        file_format = engine.sniff_format(path)
        table = engine.read_predictions(path)
    except engine.DataFormatError as exc:
        raise InvalidPredictions(str(exc), code=exc.code) from None
    try:
        validated = engine.validate_predictions(
            table,
            _splits(task),
            task_type=task.task_type,
            class_labels=task.class_labels,
        )
    except engine.PredictionsError as exc:
        raise InvalidPredictions(
            exc.message,
            code=exc.code,
            problems=[p.to_dict() for p in exc.problems],
            counts=exc.counts,
        ) from None
    return file_format, validated


def _splits(task: Task):
    return load_splits(task.pk)


def enqueue_scoring(run: Run) -> None:
    from runs.jobs import score_run_job

    run_id, attempt = run.pk, run.attempt
    # robust: if the broker is down, the run is committed all the same and the sweeper
    # sends its job later; an error here must not undo (or delete the files of) a stored run.
    transaction.on_commit(lambda: score_run_job.delay(run_id, attempt), robust=True)


# -- scoring -----------------------------------------------------------------------------


def score_run(*, run_id: int, attempt: int, count_delivery: bool = True) -> None:
    """Score one attempt of a run from its stored predictions. Idempotent (see the module).

    Expected problems fail the run with their code; an unexpected error fails it with
    ``scoring_error`` (``timeout`` past the soft limit), except database hiccups, which
    propagate for the job's autoretry.
    """
    from celery.exceptions import SoftTimeLimitExceeded
    from django.db import InterfaceError, OperationalError

    try:
        _score(run_id=run_id, attempt=attempt, count_delivery=count_delivery)
    except (OperationalError, InterfaceError):
        raise
    except SoftTimeLimitExceeded:
        fail_run(
            run_id=run_id,
            attempt=attempt,
            code="timeout",
            message="Scoring took longer than the scoring time limit.",
        )
    except Exception as exc:
        logger.exception("scoring failed run=%s attempt=%s", run_id, attempt)
        fail_run(
            run_id=run_id,
            attempt=attempt,
            code="scoring_error",
            message=f"The server could not score this run ({type(exc).__name__}).",
        )


def _score(*, run_id: int, attempt: int, count_delivery: bool) -> None:
    from tunebench import engine

    now = timezone.now()
    claimed = Run.objects.filter(
        pk=run_id, attempt=attempt, status__in=(Run.Status.QUEUED, Run.Status.SCORING)
    ).update(
        status=Run.Status.SCORING,
        started_at=now,
        updated_at=now,
        deliveries=F("deliveries") + (1 if count_delivery else 0),
    )
    if not claimed:
        logger.info("scoring skipped run=%s attempt=%s: not ours to score", run_id, attempt)
        return
    run = Run.objects.select_related("task", "task__dataset").get(pk=run_id)
    if run.deliveries > MAX_DELIVERIES:
        fail_run(
            run_id=run_id,
            attempt=attempt,
            code="worker_lost_repeatedly",
            message=(
                f"Scoring this run stopped the worker {run.deliveries - 1} times; "
                "it will not be tried again."
            ),
        )
        return
    stored = RunFile.objects.get(run_id=run_id, kind="checked")
    path = checked_path(run_id)
    task = run.task
    try:
        # Verified before use (I3): the file is ours, but a disk can still flip a byte.
        if storage.sha256_of(path) != stored.sha256:
            fail_run(
                run_id=run_id,
                attempt=attempt,
                code="checksum_mismatch",
                message="The stored predictions no longer match their checksum.",
            )
            return
        predictions = engine.read_checked_predictions(path)
        y_true = engine.target_values(
            _target_column(task), task_type=task.task_type, class_labels=task.class_labels
        )
        scores = engine.score_predictions(
            predictions,
            y_true,
            task_type=task.task_type,
            n_classes=len(task.class_labels or ()) or None,
        )
    except engine.ScoringError as exc:
        fail_run(run_id=run_id, attempt=attempt, code=exc.code, message=str(exc)[:2000])
        return
    with transaction.atomic():
        done = Run.objects.filter(pk=run_id, attempt=attempt, status=Run.Status.SCORING).update(
            status=Run.Status.DONE,
            finished_at=timezone.now(),
            error_code="",
            error_message="",
        )
        if not done:
            logger.info("scores dropped run=%s attempt=%s: superseded", run_id, attempt)
            transaction.set_rollback(True)
            return
        Evaluation.objects.filter(run_id=run_id).delete()
        Evaluation.objects.bulk_create(_evaluations(run, scores))
    logger.info("run scored id=%s attempt=%s", run_id, attempt)


def _finite(value: float) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _evaluations(run: Run, scores) -> list[Evaluation]:
    folds = sorted(scores.per_fold)
    return [
        Evaluation(
            run_id=run.pk,
            task_id=run.task_id,
            measure=measure,
            value=_finite(scores.mean[measure]),
            std=_finite(scores.std[measure]),
            per_fold=[
                [repeat, fold, _finite(scores.per_fold[(repeat, fold)].get(measure, math.nan))]
                for repeat, fold in folds
            ],
        )
        for measure in sorted(scores.mean)
    ]


def _target_column(task: Task):
    import pyarrow.parquet as pq

    path = storage.file_path(task.dataset_id, "parquet")
    return pq.read_table(path, columns=[task.target_name]).column(0)


def fail_run(*, run_id: int, attempt: int, code: str, message: str) -> None:
    """Record why a run could not be scored; it shows wherever the run is shown."""
    Run.objects.filter(
        pk=run_id,
        attempt=attempt,
        status__in=(Run.Status.QUEUED, Run.Status.RUNNING, Run.Status.SCORING),
    ).update(
        status=Run.Status.FAILED,
        error_code=code[:64],
        error_message=message,
        finished_at=timezone.now(),
    )
    logger.info("run failed id=%s code=%s", run_id, code)


# -- sweeper -----------------------------------------------------------------------------


def requeue_stuck_runs() -> dict[str, int]:
    """Re-send what a lost message or a dead worker left behind (C15). Returns counts.

    - A run *queued* longer than ``TUNEBENCH_RUN_RESEND_AFTER_S`` since its message was
      sent (the message was lost, or sits unacknowledged with a dead worker) gets a new
      attempt and a new message; the old copy, if it ever arrives, is a no-op, so a run
      is never scored twice in parallel because of a resend.
    - A *server* run dispatched that long ago but never claimed goes back to its place in
      the waiting line with a new attempt; one *running* longer than
      ``TUNEBENCH_RUN_EXECUTE_DEADLINE_S`` lost its worker and is tried again the same way
      (a stall), failing ``execution_stalled`` at ``MAX_ATTEMPTS`` stalls. Then the
      dispatcher sends what the freed slots allow.
    - A run *scoring* longer than ``TUNEBENCH_RUN_SCORE_DEADLINE_S`` lost its worker: it
      gets a new attempt, so a late finisher of the old one cannot write, and counts a
      stall; at ``MAX_ATTEMPTS`` stalls it fails with ``scoring_stalled``.
    """
    now = timezone.now()
    counts = {"resent": 0, "retried": 0, "failed": 0}
    resend_before = now - timedelta(seconds=settings.TUNEBENCH_RUN_RESEND_AFTER_S)
    waiting = Run.objects.filter(
        status=Run.Status.QUEUED, origin=Run.Origin.UPLOADED, enqueued_at__lt=resend_before
    ).values_list("pk", "attempt")
    for run_id, attempt in list(waiting[:10_000]):
        if _next_attempt(run_id, attempt, Run.Status.QUEUED, now=now):
            counts["resent"] += 1
    # Server runs wait in the database until dispatched; one dispatched but never claimed
    # (its message lost) goes back to its place in the waiting line.
    from runs.execution import dispatch_runs, record_verification, requeue_execution

    sent = Run.objects.filter(
        status=Run.Status.QUEUED, origin=Run.Origin.SERVER, enqueued_at__lt=resend_before
    ).values_list("pk", "attempt")
    for run_id, attempt in list(sent[:10_000]):
        if requeue_execution(run_id, attempt, Run.Status.QUEUED, stalled=False):
            counts["resent"] += 1
    executing_before = now - timedelta(seconds=settings.TUNEBENCH_RUN_EXECUTE_DEADLINE_S)
    executing = Run.objects.filter(status=Run.Status.RUNNING, started_at__lt=executing_before)
    for run_id, attempt, stalls in list(executing.values_list("pk", "attempt", "stalls")[:10_000]):
        if stalls + 1 >= MAX_ATTEMPTS:
            fail_run(
                run_id=run_id,
                attempt=attempt,
                code="execution_stalled",
                message=f"Execution stopped without a result {stalls + 1} times.",
            )
            record_verification(run_id)
            counts["failed"] += 1
        elif requeue_execution(run_id, attempt, Run.Status.RUNNING, stalled=True):
            counts["retried"] += 1
    stalled_before = now - timedelta(seconds=settings.TUNEBENCH_RUN_SCORE_DEADLINE_S)
    stalled = Run.objects.filter(status=Run.Status.SCORING, started_at__lt=stalled_before)
    for run_id, attempt, stalls in list(stalled.values_list("pk", "attempt", "stalls")[:10_000]):
        if stalls + 1 >= MAX_ATTEMPTS:
            fail_run(
                run_id=run_id,
                attempt=attempt,
                code="scoring_stalled",
                message=f"Scoring stopped without a result {stalls + 1} times.",
            )
            counts["failed"] += 1
        elif _next_attempt(run_id, attempt, Run.Status.SCORING, now=now, stalled=True):
            counts["retried"] += 1
    counts["dispatched"] = dispatch_runs()
    counts["orphans"] = remove_orphan_run_files() + remove_stale_job_dirs()
    if any(counts.values()):
        logger.info("runs swept %s", counts)
    return counts


def remove_orphan_run_files(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Remove run folders without a run row (a process died between moving the files into
    place and committing). Only folders untouched for a day go, far beyond any upload."""
    root = Path(settings.MEDIA_ROOT) / "runs"
    if not root.is_dir():
        return 0
    cutoff = (timezone.now() - older_than).timestamp()
    candidates = {
        int(path.name): path
        for path in root.iterdir()
        if path.is_dir()
        and path.name.isascii()
        and path.name.isdigit()
        and path.stat().st_mtime < cutoff
    }
    known = set(Run.objects.filter(pk__in=list(candidates)).values_list("pk", flat=True))
    removed = 0
    for run_id, path in candidates.items():
        if run_id not in known:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def remove_stale_job_dirs() -> int:
    """Remove execution job directories a killed worker left behind (older than the
    execution deadline, so never one in use)."""
    import time

    root = Path(settings.VAR_DIR) / "executions"
    if not root.is_dir():
        return 0
    cutoff = time.time() - settings.TUNEBENCH_RUN_EXECUTE_DEADLINE_S
    removed = 0
    for path in root.iterdir():
        if path.is_dir() and path.stat().st_mtime < cutoff:
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def _next_attempt(run_id: int, attempt: int, status: str, *, now, stalled: bool = False) -> bool:
    """Give a run a new attempt and send its message, unless it moved on meanwhile."""
    with transaction.atomic():
        moved = Run.objects.filter(pk=run_id, attempt=attempt, status=status).update(
            status=Run.Status.QUEUED,
            attempt=attempt + 1,
            deliveries=0,
            stalls=F("stalls") + (1 if stalled else 0),
            enqueued_at=now,
        )
        if moved:
            enqueue_scoring(Run(pk=run_id, attempt=attempt + 1))
    return bool(moved)
