"""Server-side execution through the services: submission, dispatch order, quotas, the sandboxed
execution itself (eagerly, in this process's own zygote), determinism, faults and seeds."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from django.utils import timezone
from scipy import stats

from flows.exceptions import InvalidConfiguration
from flows.models import Configuration, Flow
from runs import execution, services
from runs.exceptions import InvalidRun, NotATeamMember, QuotaExceeded
from runs.models import Evaluation, Run, RunFile
from runs.selectors import seed_interval, seed_summaries
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db

TREE = "sklearn.tree.DecisionTreeClassifier"


@pytest.fixture
def sent(monkeypatch):
    """Record execution messages instead of running them (dispatch tests)."""
    from runs import jobs

    messages: list[tuple[int, int]] = []
    monkeypatch.setattr(jobs.execute_run_job, "delay", lambda *args: messages.append(args))
    return messages


def submit(user, task, estimator=TREE, parameters=None, **kwargs):
    return execution.submit_configuration(
        submitter=user, task_id=task.pk, estimator=estimator, parameters=parameters, **kwargs
    )


def problems_of(error: InvalidConfiguration) -> set[tuple[str, str]]:
    return {(field, item["code"]) for field, items in error.errors.items() for item in items}


def nothing_stored() -> bool:
    return not (Run.objects.exists() or Configuration.objects.exists())


# -- submission --------------------------------------------------------------------------


def test_a_submission_stores_one_server_run_per_seed_and_one_configuration(
    user, task, ingest, sent
):
    submission = ingest(submit, user, task, parameters={"max_depth": 3}, seeds=[0, 1, 2])
    assert [run.seed for run in submission.runs] == [0, 1, 2]
    assert submission.reused == [False, False, False]
    assert {run.origin for run in submission.runs} == {Run.Origin.SERVER}
    flow = submission.flow
    assert (flow.name, flow.estimator, flow.uploader) == (f"tunebench.{TREE}", TREE, None)
    assert flow.is_executable
    assert flow.external_version.startswith("sklearn==")
    assert submission.configuration.parameters["max_depth"] == 3
    # Dispatched on commit: every run sent once, in id order (one owner).
    assert sent == [(run.pk, 1) for run in submission.runs]

    again = ingest(submit, user, task, parameters={"max_depth": 3}, seeds=[2, 7])
    assert again.configuration.pk == submission.configuration.pk
    assert again.reused == [True, False]
    assert again.runs[0].pk == submission.runs[2].pk
    assert Flow.objects.filter(estimator=TREE).count() == 1
    assert Run.objects.count() == 4


def test_a_failed_seed_is_run_again_and_another_team_gets_its_own_runs(user, task, ingest, sent):
    first = ingest(submit, user, task, seeds=[0])
    Run.objects.filter(pk=first.runs[0].pk).update(status=Run.Status.FAILED, error_code="crashed")
    again = ingest(submit, user, task, seeds=[0])
    assert again.reused == [False]
    assert again.runs[0].pk != first.runs[0].pk
    team = make_team(owner=user)
    for_team = ingest(submit, user, task, seeds=[0], team=team)
    assert for_team.reused == [False]
    assert for_team.runs[0].team == team


@pytest.mark.parametrize(
    "estimator",
    ["os.system", "sklearn.preprocessing.FunctionTransformer", "builtins.eval", "", "sklearn"],
)
def test_names_outside_the_registry_are_refused(user, task, estimator):
    with pytest.raises(InvalidConfiguration) as caught:
        submit(user, task, estimator=estimator)
    assert caught.value.code == "estimator_not_allowed"
    assert caught.value.field == "estimator"
    assert nothing_stored()


def test_every_problem_is_reported_at_once(user, task):
    with pytest.raises(InvalidConfiguration) as caught:
        submit(
            user,
            task,
            parameters={
                "max_depth": -1,
                "criterion": "entropyy",
                "min_impurity_decrease": math.nan,
                "n_jobs": 4,
                "bogus": 1,
            },
            seeds=[0, "1", -5, 0],
        )
    assert problems_of(caught.value) >= {
        ("parameters.max_depth", "out_of_range"),
        ("parameters.criterion", "not_a_choice"),
        ("parameters.min_impurity_decrease", "non_finite"),
        ("parameters.n_jobs", "forbidden_parameter"),
        ("parameters.bogus", "unknown_parameter"),
        ("seeds.1", "bad_type"),
        ("seeds.2", "out_of_range"),
        ("seeds.3", "duplicate"),
    }
    assert nothing_stored()


def test_nesting_and_wrong_types_are_refused(user, task):
    deep: list = []
    for _ in range(50):
        deep = [deep]
    with pytest.raises(InvalidConfiguration) as caught:
        submit(user, task, parameters={"max_depth": deep, "splitter": {"a": 1}})
    assert {field for field, _ in problems_of(caught.value)} == {
        "parameters.max_depth",
        "parameters.splitter",
    }
    with pytest.raises(InvalidConfiguration) as caught:
        submit(user, task, parameters=["max_depth"])
    assert caught.value.field == "parameters"
    with pytest.raises(InvalidConfiguration) as caught:
        submit(user, task, seeds=list(range(100)))
    assert (caught.value.field, caught.value.code) == ("seeds", "too_many")
    assert nothing_stored()


def test_a_regressor_is_refused_on_a_classification_task(user, task):
    with pytest.raises(InvalidConfiguration) as caught:
        submit(user, task, estimator="sklearn.linear_model.Ridge")
    assert (caught.value.field, caught.value.code) == ("estimator", "wrong_task_type")


def test_an_invisible_task_or_a_foreign_team_is_refused(user, task):
    stranger = UserFactory()
    with pytest.raises(InvalidRun) as caught:
        submit(stranger, task.__class__(pk=10**9))
    assert caught.value.field == "task"
    other = make_team(owner=UserFactory(), name="Other")
    with pytest.raises(NotATeamMember):
        submit(user, task, team=other)
    assert nothing_stored()


# -- quotas and fairness -----------------------------------------------------------------


def test_the_daily_quota_counts_runs_but_not_the_platforms_failures(
    user, task, ingest, sent, settings
):
    settings.TUNEBENCH_EXECUTE_DAILY_QUOTA = 3
    first = ingest(submit, user, task, seeds=[0, 1])
    with pytest.raises(QuotaExceeded) as caught:
        submit(user, task, seeds=[2, 3])
    assert caught.value.status_code == 429
    assert caught.value.extensions == {"used": 2, "limit": 3}
    assert Run.objects.count() == 2
    # A run the platform lost is not the team's fault; a configuration that ran out of
    # memory is.
    Run.objects.filter(pk=first.runs[0].pk).update(status="failed", error_code="crashed")
    assert execution.quota_usage(user, None)["used"] == 1
    Run.objects.filter(pk=first.runs[1].pk).update(status="failed", error_code="memory_limit")
    assert execution.quota_usage(user, None)["used"] == 1
    ingest(submit, user, task, seeds=[2, 3])
    assert execution.quota_usage(user, None) == {"used": 3, "limit": 3, "remaining": 0}
    # Old runs leave the window.
    Run.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert execution.quota_usage(user, None)["used"] == 0


def test_one_teams_many_runs_do_not_starve_another_teams_one(user, task, ingest, sent, settings):
    settings.TUNEBENCH_EXECUTE_SLOTS = 2
    settings.TUNEBENCH_EXECUTE_CONCURRENCY = 2
    busy = make_team(owner=user, name="Busy")
    other_user = UserFactory()
    small = make_team(owner=other_user, name="Small")
    many = ingest(submit, user, task, seeds=list(range(20)), team=busy)
    assert len(sent) == 2  # the slots are full
    one = ingest(submit, other_user, task, seeds=[0], team=small)
    waiting = [run.pk for run in many.runs[2:]] + [one.runs[0].pk]
    positions = execution.queue_positions(waiting)
    assert positions[one.runs[0].pk] == 1  # its first run before the busy team's third
    assert positions[many.runs[2].pk] == 2
    assert sorted(positions.values()) == list(range(1, len(waiting) + 1))

    # A slot frees: the small team's run goes first.
    Run.objects.filter(pk=many.runs[0].pk).update(status=Run.Status.DONE)
    sent.clear()
    assert ingest(execution.dispatch_runs) == 1
    assert sent == [(one.runs[0].pk, 1)]
    assert Run.objects.get(pk=one.runs[0].pk).enqueued_at is not None


def test_a_team_never_has_more_than_its_concurrency_out(user, task, ingest, sent, settings):
    settings.TUNEBENCH_EXECUTE_SLOTS = 10
    settings.TUNEBENCH_EXECUTE_CONCURRENCY = 3
    ingest(submit, user, task, seeds=list(range(8)))
    assert len(sent) == 3
    assert ingest(execution.dispatch_runs) == 0
    assert len(sent) == 3


# -- execution ---------------------------------------------------------------------------


def predictions_of(run: Run) -> bytes:
    return services.predictions_path(run.pk, "parquet").read_bytes()


def test_a_submitted_configuration_is_executed_verified_and_scored(user, task, ingest):
    from tunebench import engine
    from tunebench.engine.execute import execute_configuration, prepare_features, task_target

    submission = ingest(submit, user, task, parameters={"max_depth": 3}, seeds=[0, 1])
    runs = [Run.objects.get(pk=run.pk) for run in submission.runs]
    for run in runs:
        assert run.status == Run.Status.DONE, (run.error_code, run.error_message)
        assert run.is_verified
        assert len(run.fold_timings) == 10
        assert run.resources["peak_memory_mb"] > 0
        assert run.environment["libraries"]["scikit-learn"]
        assert Evaluation.objects.filter(run=run, measure="predictive_accuracy").exists()
        assert set(RunFile.objects.filter(run=run).values_list("kind", flat=True)) == {
            "predictions",
            "checked",
        }

    # Anyone can reproduce it with the engine (plain scikit-learn) on the task's splits.
    from datasets import storage
    from tasks.services import load_splits

    table = pq.read_table(storage.file_path(task.dataset_id, "parquet"))
    frame = engine.table_to_dataframe(table)
    X = prepare_features(frame.drop(columns=[task.target_name]))
    y = task_target(table.column(task.target_name), task_type=1, class_labels=task.class_labels)
    local, _ = execute_configuration(
        TREE,
        {"max_depth": 3},
        seed=0,
        X=X,
        y=y,
        splits=load_splits(task.pk),
        task_type=1,
        class_labels=task.class_labels,
    )
    served = pd.read_parquet(services.predictions_path(runs[0].pk, "parquet"))
    pd.testing.assert_frame_equal(served, local)


def test_the_same_configuration_and_seed_give_byte_identical_predictions(user, task, ingest):
    parameters = {"max_depth": 4, "splitter": "random"}  # randomness that depends on the seed
    first = ingest(submit, user, task, parameters=parameters, seeds=[3])
    second = ingest(submit, UserFactory(), task, parameters=parameters, seeds=[3])
    other_seed = ingest(submit, user, task, parameters=parameters, seeds=[4])
    a, b, c = (Run.objects.get(pk=s.runs[0].pk) for s in (first, second, other_seed))
    assert a.pk != b.pk
    assert a.status == b.status == c.status == Run.Status.DONE
    assert predictions_of(a) == predictions_of(b)
    assert (
        RunFile.objects.get(run=a, kind="predictions").sha256
        == RunFile.objects.get(run=b, kind="predictions").sha256
    )
    assert predictions_of(a) != predictions_of(c)


def test_a_configuration_over_the_memory_limit_fails_and_the_next_one_runs(
    user, task, ingest, settings
):
    settings.TUNEBENCH_EXECUTE_MEMORY_MB = 256
    hog = ingest(
        submit, user, task, estimator="tunebench.testing.Hog", parameters={"megabytes": 4096}
    )
    run = Run.objects.get(pk=hog.runs[0].pk)
    assert (run.status, run.error_code) == (Run.Status.FAILED, "memory_limit"), run.error_message
    assert run.stalls == 0  # not retried: it would fail again
    fine = ingest(submit, user, task, seeds=[0])
    assert Run.objects.get(pk=fine.runs[0].pk).status == Run.Status.DONE


def test_a_configuration_over_the_time_limit_fails_with_timeout(user, task, ingest, settings):
    settings.TUNEBENCH_EXECUTE_WALL_S = 1
    slow = ingest(
        submit, user, task, estimator="tunebench.testing.Sleep", parameters={"seconds": 30.0}
    )
    run = Run.objects.get(pk=slow.runs[0].pk)
    assert (run.status, run.error_code) == (Run.Status.FAILED, "timeout"), run.error_message


def test_a_configuration_that_kills_its_process_fails_after_the_attempt_cap(user, task, ingest):
    crash = ingest(submit, user, task, estimator="tunebench.testing.Crash", seeds=[0])
    run = Run.objects.get(pk=crash.runs[0].pk)
    assert (run.status, run.error_code) == (Run.Status.FAILED, "crashed"), run.error_message
    assert run.attempt == services.MAX_ATTEMPTS
    assert not Evaluation.objects.filter(run=run).exists()


def test_a_stale_or_duplicate_execution_message_changes_nothing(user, task, ingest):
    submission = ingest(submit, user, task, seeds=[0])
    run = Run.objects.get(pk=submission.runs[0].pk)
    evaluations = list(Evaluation.objects.filter(run=run).values_list("pk", flat=True))
    execution.execute_run(run_id=run.pk, attempt=run.attempt)  # duplicate delivery
    execution.execute_run(run_id=run.pk, attempt=run.attempt - 1 or 99)  # stale token
    assert list(Evaluation.objects.filter(run=run).values_list("pk", flat=True)) == evaluations
    assert Run.objects.get(pk=run.pk).status == Run.Status.DONE


def test_the_sweeper_retries_a_lost_execution_and_gives_up_at_the_cap(
    user, task, ingest, sent, settings
):
    submission = ingest(submit, user, task, seeds=[0])
    run = Run.objects.get(pk=submission.runs[0].pk)
    long_ago = timezone.now() - timedelta(seconds=settings.TUNEBENCH_RUN_EXECUTE_DEADLINE_S + 5)
    for stalls in range(services.MAX_ATTEMPTS):
        Run.objects.filter(pk=run.pk).update(status=Run.Status.RUNNING, started_at=long_ago)
        counts = services.requeue_stuck_runs()
        run.refresh_from_db()
        if stalls + 1 < services.MAX_ATTEMPTS:
            assert counts["retried"] == 1
            assert (run.status, run.stalls, run.attempt) == ("queued", stalls + 1, stalls + 2)
        else:
            assert counts["failed"] == 1
            assert (run.status, run.error_code) == ("failed", "execution_stalled")


# -- seeds -------------------------------------------------------------------------------


def test_seed_intervals_are_scipys_t_interval():
    values = [0.8, 0.82, 0.79, 0.85, 0.81]
    interval = seed_interval("predictive_accuracy", values)
    low, high = stats.t.interval(
        0.95, len(values) - 1, loc=np.mean(values), scale=stats.sem(values)
    )
    assert interval.n == 5
    assert interval.mean == pytest.approx(np.mean(values))
    assert interval.std == pytest.approx(np.std(values, ddof=1))
    assert (interval.low, interval.high) == (pytest.approx(low), pytest.approx(high))
    one = seed_interval("x", [0.5])
    assert (one.n, one.mean, one.std, one.low, one.high) == (1, 0.5, None, None, None)


def test_a_configuration_reports_mean_std_and_interval_across_its_seeds(user, task, ingest):
    submission = ingest(
        submit, user, task, parameters={"splitter": "random"}, seeds=[0, 1, 2, 3, 4]
    )
    [summary] = seed_summaries(viewer=user, configuration_ids=[submission.configuration.pk])
    assert (summary.task_id, summary.seeds) == (task.pk, [0, 1, 2, 3, 4])
    accuracy = next(m for m in summary.measures if m.measure == "predictive_accuracy")
    values = list(
        Evaluation.objects.filter(
            run__in=submission.runs, measure="predictive_accuracy"
        ).values_list("value", flat=True)
    )
    assert accuracy.n == 5
    assert accuracy.mean == pytest.approx(np.mean(values))
    if accuracy.std:
        assert accuracy.low < accuracy.mean < accuracy.high
    # A stranger who cannot see the task sees nothing.
    from datasets.models import Dataset

    Dataset.objects.filter(pk=task.dataset_id).update(visibility="private")
    assert (
        seed_summaries(viewer=UserFactory(), configuration_ids=[submission.configuration.pk]) == []
    )


def test_a_holdouts_test_labels_never_enter_the_sandbox(user, task, ingest, sent, tmp_path):
    from tasks.services import create_task

    holdout, _ = ingest(
        create_task,
        creator=user,
        dataset_id=task.dataset_id,
        task_type=1,
        target="kind",
        estimation_procedure_id=6,  # 33% holdout
    )
    holdout.refresh_from_db()
    submission = ingest(submit, user, holdout, seeds=[0])
    run = Run.objects.select_related("task", "flow", "configuration").get(pk=submission.runs[0].pk)
    splits = execution._write_job(run, tmp_path)
    written = pq.read_table(tmp_path / "data.parquet")
    tested = splits.assignment[0] == 0
    target = written.column("kind").to_pylist()
    assert tested.any()
    assert all(value is None for value, hidden in zip(target, tested, strict=True) if hidden)
    assert all(
        value is not None for value, hidden in zip(target, tested, strict=True) if not hidden
    )
    assert set(written.column_names) == {"width", "height", "kind"}

    # And it still executes and scores on the test rows.
    sent.clear()
    execution.execute_run(run_id=run.pk, attempt=run.attempt)
    run.refresh_from_db()
    assert run.status == Run.Status.DONE, run.error_message
    assert Evaluation.objects.filter(run=run, measure="predictive_accuracy").exists()


def test_in_cross_validation_every_row_trains_some_fold(task):
    from tasks.services import load_splits

    assert not execution.never_trained(load_splits(task.pk)).any()
