"""Run upload and scoring through the services: what is stored, what is refused, idempotence."""

from __future__ import annotations

import pytest

from flows.models import Configuration
from runs import services
from runs.exceptions import InvalidPredictions, InvalidRun
from runs.models import Evaluation, Run, RunFile
from tests.runs.conftest import as_csv, as_parquet, predictions, regression_predictions

pytestmark = pytest.mark.django_db


def upload(user, task, flow, body: bytes, **kwargs):
    return services.upload_run(
        uploader=user, task_id=task.pk, flow_id=flow.pk, chunks=iter([body]), **kwargs
    )


def test_an_uploaded_run_is_scored_once_with_every_measure(user, task, flow, ingest):
    run = ingest(upload, user, task, flow, as_csv(predictions(task, correct=0.75)), seed=3)
    assert run.status == Run.Status.DONE, (run.error_code, run.error_message)
    measures = dict(Evaluation.objects.filter(run=run).values_list("measure", "value"))
    assert measures["predictive_accuracy"] == pytest.approx(0.75, abs=0.05)
    assert "area_under_roc_curve" in measures
    assert "f_measure" in measures
    evaluation = Evaluation.objects.get(run=run, measure="predictive_accuracy")
    assert len(evaluation.per_fold) == 10
    assert evaluation.task_id == task.pk
    assert run.configuration.parameters == {
        "ccp_alpha": 0.0,
        "criterion": "gini",
        "max_depth": None,
        "min_samples_leaf": 1,
    }
    assert RunFile.objects.get(run=run, kind="predictions").format == "csv"

    count = Evaluation.objects.filter(run=run).count()
    services.score_run(run_id=run.pk, attempt=run.attempt)  # a duplicate delivery
    assert Evaluation.objects.filter(run=run).count() == count


def test_regression_runs_score_errors(user, regression_task, ingest):
    from flows.services import create_flow

    flow, _ = create_flow(
        uploader=user, spec={"name": "mean", "external_version": "1", "parameters": []}
    )
    run = ingest(
        upload,
        user,
        regression_task,
        flow,
        as_parquet(regression_predictions(regression_task, offset=2.0)),
    )
    assert run.status == Run.Status.DONE, run.error_message
    rmse = Evaluation.objects.get(run=run, measure="root_mean_squared_error")
    assert rmse.value == pytest.approx(2.0)


def test_bad_predictions_store_nothing(user, task, flow, settings):
    frame = predictions(task).iloc[1:]
    with pytest.raises(InvalidPredictions) as caught:
        upload(user, task, flow, as_csv(frame))
    assert caught.value.code == "missing_rows"
    assert caught.value.extensions["problems"]
    assert not Run.objects.exists()
    assert not Configuration.objects.exists()
    from pathlib import Path

    media = Path(settings.MEDIA_ROOT)
    assert not (media / "runs").exists() or not any((media / "runs").rglob("*"))
    assert not any(p.is_file() for p in (media / "staging").rglob("*"))


def test_unknown_parameter_is_refused_before_reading(user, task, flow):
    from flows.exceptions import InvalidParameters

    with pytest.raises(InvalidParameters) as caught:
        upload(user, task, flow, b"", parameters={"max_dept": 3})
    assert caught.value.code == "unknown_parameter"
    assert caught.value.field == "parameters.max_dept"


def test_stale_attempt_cannot_write(user, task, flow, ingest, django_capture_on_commit_callbacks):
    run = upload(user, task, flow, as_csv(predictions(task)))  # not scored: callbacks dropped
    Run.objects.filter(pk=run.pk).update(attempt=2)
    services.score_run(run_id=run.pk, attempt=1)
    run.refresh_from_db()
    assert run.status == Run.Status.QUEUED
    assert not run.evaluations.exists()


def test_a_run_that_killed_its_worker_too_often_fails(user, task, flow):
    run = upload(user, task, flow, as_csv(predictions(task)))
    Run.objects.filter(pk=run.pk).update(deliveries=services.MAX_DELIVERIES)
    services.score_run(run_id=run.pk, attempt=run.attempt)
    run.refresh_from_db()
    assert (run.status, run.error_code) == (Run.Status.FAILED, "worker_lost_repeatedly")


def test_sweeper_resends_and_retries(
    user, task, flow, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    waiting = upload(user, task, flow, as_csv(predictions(task)))
    stalled = upload(user, task, flow, as_csv(predictions(task)))
    hour_ago = timezone.now() - timedelta(hours=1)
    Run.objects.filter(pk=waiting.pk).update(enqueued_at=hour_ago)
    Run.objects.filter(pk=stalled.pk).update(status="scoring", started_at=hour_ago)
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.requeue_stuck_runs()
    assert counts == {"resent": 1, "retried": 1, "failed": 0, "dispatched": 0, "orphans": 0}
    waiting.refresh_from_db()
    stalled.refresh_from_db()
    assert waiting.status == stalled.status == Run.Status.DONE
    assert (waiting.attempt, waiting.stalls) == (2, 0)
    assert (stalled.attempt, stalled.stalls) == (2, 1)
    # The first message of the resent run arrives late: a no-op, not a second scoring.
    services.score_run(run_id=waiting.pk, attempt=1)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.deliveries) == (Run.Status.DONE, 1)


def test_a_run_that_stalls_too_often_fails(user, task, flow, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    run = upload(user, task, flow, as_csv(predictions(task)))
    hour_ago = timezone.now() - timedelta(hours=1)
    Run.objects.filter(pk=run.pk).update(
        status="scoring", started_at=hour_ago, stalls=services.MAX_ATTEMPTS - 1
    )
    assert services.requeue_stuck_runs()["failed"] == 1
    run.refresh_from_db()
    assert (run.status, run.error_code) == (Run.Status.FAILED, "scoring_stalled")


def test_unknown_task_and_inactive(user, flow):
    with pytest.raises(InvalidRun) as caught:
        services.upload_run(uploader=user, task_id=999, flow_id=flow.pk, chunks=iter([b""]))
    assert caught.value.code == "unknown_task"


def test_a_flipped_byte_fails_the_run_instead_of_scoring_it(user, task, flow):
    run = upload(user, task, flow, as_csv(predictions(task)))  # scoring not run yet
    path = services.checked_path(run.pk)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    services.score_run(run_id=run.pk, attempt=run.attempt)
    run.refresh_from_db()
    assert (run.status, run.error_code) == (Run.Status.FAILED, "checksum_mismatch")
    assert not run.evaluations.exists()


def test_the_splits_cache_is_rebuilt_when_damaged(task):
    from tasks.services import load_splits, splits_path
    from tunebench import engine

    truth = engine.read_splits_parquet(splits_path(task.pk, "parquet"))
    assert load_splits(task.pk) == truth  # builds the cache
    cache = splits_path(task.pk, "parquet").with_name("assignment.npz")
    assert cache.exists()
    assert load_splits(task.pk) == truth  # reads it
    cache.write_bytes(b"garbage")
    assert load_splits(task.pk) == truth  # rebuilds it


def test_a_task_whose_splits_job_was_lost_is_sent_again(user, ingest, settings):
    from datetime import timedelta

    from django.utils import timezone

    from tasks.models import Task
    from tasks.services import create_task, requeue_stuck_tasks
    from tests.datasets.conftest import upload as upload_dataset
    from tests.runs.conftest import FLOWERS

    dataset = ingest(upload_dataset, user, text=FLOWERS, name="f2", default_target_attribute="kind")
    task, _ = create_task(  # on-commit callbacks dropped: the splits job message is "lost"
        creator=user, dataset_id=dataset.pk, task_type=1, target="kind", estimation_procedure_id=1
    )
    Task.objects.filter(pk=task.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    assert ingest(requeue_stuck_tasks) == 1
    task.refresh_from_db()
    assert (task.status, task.attempt) == (Task.Status.ACTIVE, 2)


def test_an_unexpected_error_fails_the_run_instead_of_leaving_it_scoring(user, task, flow):
    run = upload(user, task, flow, as_csv(predictions(task)))  # scoring not run yet
    services.checked_path(run.pk).unlink()  # the file is gone: not a predictions problem
    services.score_run(run_id=run.pk, attempt=run.attempt)
    run.refresh_from_db()
    assert (run.status, run.error_code) == (Run.Status.FAILED, "scoring_error")


def test_an_autoretry_is_not_counted_as_a_lost_worker(user, task, flow):
    run = upload(user, task, flow, as_csv(predictions(task)))
    Run.objects.filter(pk=run.pk).update(deliveries=services.MAX_DELIVERIES)
    services.score_run(run_id=run.pk, attempt=run.attempt, count_delivery=False)
    run.refresh_from_db()
    assert run.status == Run.Status.DONE


def test_a_run_folder_without_its_row_is_removed_after_a_day(settings):
    import os
    import time
    from pathlib import Path

    folder = Path(settings.MEDIA_ROOT) / "runs" / "424242"
    folder.mkdir(parents=True)
    (folder / "checked.parquet").write_bytes(b"x")
    assert services.remove_orphan_run_files() == 0  # fresh: maybe an upload in progress
    old = time.time() - 2 * 86400
    os.utime(folder, (old, old))
    assert services.remove_orphan_run_files() == 1
    assert not folder.exists()
