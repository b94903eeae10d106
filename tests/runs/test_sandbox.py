"""The execution sandbox: a real zygote and real forked children, no database.

Jobs are built by hand in `tmp_path` (iris for classification, diabetes for regression, five
folds), and each outcome is compared with what `execute_configuration` gives in this process
or with the exact message a run's owner reads.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import sklearn
from sklearn.datasets import load_diabetes, load_iris

from runs.sandbox import REPO_ROOT, Limits, Sandbox, get_sandbox
from runs.testing_estimators import (
    TESTING_ESTIMATORS,
    describe_testing_estimators,
    validate_testing_parameters,
)
from tunebench.engine import (
    ParameterError,
    Splits,
    dataframe_to_table,
    list_estimators,
    table_to_dataframe,
)
from tunebench.engine.execute import execute_configuration, prepare_features, task_target

LIMITS = Limits(memory_mb=1024, wall_seconds=120, cpu_seconds=120)
IRIS_LABELS = ["setosa", "versicolor", "virginica"]
OK_FILES = [
    "child.log",
    "data.parquet",
    "job.json",
    "predictions.parquet",
    "result.json",
    "splits.npz",
]
FAILED_FILES = ["child.log", "data.parquet", "error.json", "job.json", "splits.npz"]


def iris_frame() -> pd.DataFrame:
    iris = load_iris(as_frame=True)
    frame = iris.data.copy()
    frame["species"] = np.asarray(iris.target_names, dtype=object)[iris.target.to_numpy()]
    return frame


def diabetes_frame() -> pd.DataFrame:
    diabetes = load_diabetes(as_frame=True)
    frame = diabetes.data.copy()
    frame["progression"] = diabetes.target.astype("float64")
    return frame


def five_folds(n_rows: int) -> Splits:
    assignment = np.arange(n_rows) % 5
    np.random.default_rng(7).shuffle(assignment)
    return Splits(repeats=1, folds=5, assignment=assignment.reshape(1, n_rows).astype(np.int32))


def write_job(
    job_dir: Path,
    frame: pd.DataFrame,
    *,
    target: str,
    estimator: str,
    parameters: dict,
    task_type: int = 1,
    class_labels: list[str] | None = IRIS_LABELS,
    seed: int = 0,
) -> Path:
    """A job directory as the worker writes it before calling `Sandbox.execute`."""
    job_dir.mkdir(parents=True)
    job = {
        "estimator": estimator,
        "parameters": parameters,
        "seed": seed,
        "task_type": task_type,
        "class_labels": class_labels,
        "target": target,
    }
    (job_dir / "job.json").write_text(json.dumps(job))
    pq.write_table(dataframe_to_table(frame), job_dir / "data.parquet")
    splits = five_folds(len(frame))
    np.savez(job_dir / "splits.npz", assignment=splits.assignment, folds=np.int64(5))
    return job_dir


def in_process(frame, *, target, estimator, parameters, task_type=1, class_labels=IRIS_LABELS):
    """What the same job gives without a sandbox."""
    X = prepare_features(frame.drop(columns=[target]))
    y = task_target(frame[target], task_type=task_type, class_labels=class_labels)
    return execute_configuration(
        estimator,
        parameters,
        seed=0,
        X=X,
        y=y,
        splits=five_folds(len(frame)),
        task_type=task_type,
        class_labels=class_labels,
    )


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(dataframe_to_table(frame), buffer)
    return buffer.getvalue()


def listing(job_dir: Path) -> list[str]:
    return sorted(path.name for path in job_dir.iterdir())


@pytest.fixture(scope="module")
def sandbox():
    """One testing sandbox for the module, as a worker process keeps one."""
    instance = Sandbox(testing=True)
    yield instance
    instance.close()


@pytest.fixture
def production_sandbox(monkeypatch):
    """A sandbox without testing estimators, started while the worker holds secrets."""
    monkeypatch.setenv("DATABASE_URL", "mysql://tunebench:hunter2@db/tunebench")
    monkeypatch.setenv("TUNEBENCH_SECRET_KEY", "not-for-runs")
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://:hunter2@redis:6379/0")
    instance = Sandbox()
    yield instance
    instance.close()


def test_a_run_gives_the_in_process_predictions_byte_for_byte(sandbox, tmp_path):
    """A decision tree on iris: the same predictions table as in this process, the same
    bytes on a second run, one timing per fold, the child's peak memory and libraries."""
    frame = iris_frame()
    job = {
        "target": "species",
        "estimator": "sklearn.tree.DecisionTreeClassifier",
        "parameters": {"max_depth": 3},
    }
    first = write_job(tmp_path / "first", frame, **job)
    second = write_job(tmp_path / "second", frame, **job)

    outcome = sandbox.execute(first, LIMITS)
    again = sandbox.execute(second, LIMITS)

    assert (outcome.status, outcome.code, outcome.message, outcome.retryable) == (
        "ok",
        "",
        "",
        False,
    )
    assert again.status == "ok"
    assert listing(first) == OK_FILES
    expected, _ = in_process(frame, **job)
    written = (first / "predictions.parquet").read_bytes()
    pd.testing.assert_frame_equal(
        table_to_dataframe(pq.read_table(first / "predictions.parquet")),
        table_to_dataframe(dataframe_to_table(expected)),
    )
    assert written == parquet_bytes(expected)
    assert (second / "predictions.parquet").read_bytes() == written
    assert [(t["repeat"], t["fold"]) for t in outcome.timings] == [(0, f) for f in range(5)]
    assert all(
        set(t) == {"repeat", "fold", "fit_seconds", "predict_seconds"} for t in outcome.timings
    )
    result = json.loads((first / "result.json").read_text())
    assert result == {"timings": outcome.timings, "environment": outcome.environment}
    assert outcome.environment["libraries"]["scikit-learn"] == sklearn.__version__
    assert set(outcome.environment["libraries"]) == {
        "scikit-learn",
        "numpy",
        "pandas",
        "pyarrow",
        "scipy",
        "threadpoolctl",
    }
    assert outcome.environment["python"] == ".".join(map(str, sys.version_info[:3]))
    assert outcome.peak_memory_mb > 0
    assert outcome.cpu_seconds > 0
    assert outcome.wall_seconds > 0


def test_a_regression_run_works(sandbox, tmp_path):
    """Ridge on diabetes: float predictions, equal to the in-process ones."""
    frame = diabetes_frame()
    job = {
        "target": "progression",
        "estimator": "sklearn.linear_model.Ridge",
        "parameters": {},
        "task_type": 2,
        "class_labels": None,
    }
    job_dir = write_job(tmp_path / "job", frame, **job)

    outcome = sandbox.execute(job_dir, LIMITS)

    assert (outcome.status, outcome.code) == ("ok", "")
    expected, _ = in_process(frame, **job)
    predictions = pq.read_table(job_dir / "predictions.parquet")
    assert predictions.column_names == ["repeat", "fold", "row_id", "prediction"]
    pd.testing.assert_frame_equal(
        table_to_dataframe(predictions), table_to_dataframe(dataframe_to_table(expected))
    )


def test_the_child_runs_on_one_thread(sandbox, tmp_path):
    """HistGradientBoosting (OpenMP) in the sandbox: every thread pool is limited to one
    thread and no OS thread appears while fitting (an OpenMP pool would stay alive)."""
    job_dir = write_job(
        tmp_path / "job",
        iris_frame(),
        target="species",
        estimator="sklearn.ensemble.HistGradientBoostingClassifier",
        parameters={"max_iter": 10},
    )

    outcome = sandbox.execute(job_dir, LIMITS)

    assert outcome.status == "ok"
    threads = outcome.environment["threads"]
    assert "openmp" in {pool["user_api"] for pool in threads["pools"]}
    assert {pool["num_threads"] for pool in threads["pools"]} == {1}
    assert threads["os_threads"]["peak"] == threads["os_threads"]["before_fit"]


def test_memory_exhaustion_fails_the_run_and_the_zygote_keeps_serving(sandbox, tmp_path):
    """Hog allocates 1 GiB under a 256 MiB budget: memory_limit, not retryable, and the
    same zygote then runs the next job."""
    hog = write_job(
        tmp_path / "hog",
        iris_frame(),
        target="species",
        estimator="tunebench.testing.Hog",
        parameters={"megabytes": 1024},
    )
    zygote = sandbox.status()["pid"]

    outcome = sandbox.execute(hog, Limits(memory_mb=256, wall_seconds=120, cpu_seconds=120))

    message = "The configuration used more than 256 MiB of memory and was stopped."
    assert (outcome.status, outcome.code, outcome.message) == ("failed", "memory_limit", message)
    assert outcome.retryable is False
    assert outcome.timings == []
    assert listing(hog) == FAILED_FILES
    assert json.loads((hog / "error.json").read_text()) == {
        "code": "memory_limit",
        "message": message,
    }
    following = write_job(
        tmp_path / "following",
        iris_frame(),
        target="species",
        estimator="sklearn.tree.DecisionTreeClassifier",
        parameters={},
    )
    assert sandbox.execute(following, LIMITS).status == "ok"
    assert sandbox.pid == zygote


def test_a_run_past_its_wall_clock_limit_is_stopped(sandbox, tmp_path):
    """Sleep 30 s under a 1 s limit: the zygote kills it (timeout, not retryable)."""
    job_dir = write_job(
        tmp_path / "job",
        iris_frame(),
        target="species",
        estimator="tunebench.testing.Sleep",
        parameters={"seconds": 30},
    )

    outcome = sandbox.execute(job_dir, Limits(memory_mb=512, wall_seconds=1, cpu_seconds=60))

    assert (outcome.status, outcome.code, outcome.retryable) == ("failed", "timeout", False)
    assert outcome.message == "The configuration ran longer than 1 s and was stopped."
    assert listing(job_dir) == FAILED_FILES


def test_a_killed_child_is_a_retryable_crash(sandbox, tmp_path):
    """Crash kills its own process with SIGKILL: crashed, retryable."""
    job_dir = write_job(
        tmp_path / "job",
        iris_frame(),
        target="species",
        estimator="tunebench.testing.Crash",
        parameters={},
    )

    outcome = sandbox.execute(job_dir, LIMITS)

    assert (outcome.status, outcome.code, outcome.retryable) == ("failed", "crashed", True)
    assert outcome.message == (
        "The process executing the configuration was killed by signal 9 (SIGKILL)."
    )
    assert json.loads((job_dir / "error.json").read_text())["code"] == "crashed"


def test_an_estimator_error_carries_the_estimators_message(sandbox, tmp_path):
    """A configuration the registry refuses fails as estimator_error, not retryable."""
    job_dir = write_job(
        tmp_path / "job",
        iris_frame(),
        target="species",
        estimator="sklearn.tree.DecisionTreeClassifier",
        parameters={"max_depth": -1},
    )

    outcome = sandbox.execute(job_dir, LIMITS)

    assert (outcome.status, outcome.code, outcome.retryable) == (
        "failed",
        "estimator_error",
        False,
    )
    assert outcome.message == (
        "ParameterError: parameters.max_depth: got -1; expected an integer from 1 to 1000 or null"
    )


def test_the_zygote_has_no_django_and_none_of_the_workers_secrets(production_sandbox):
    """Started while the worker holds DATABASE_URL and the secret key: the zygote has only
    its minimal environment and never loaded Django."""
    status = production_sandbox.status()

    assert status["pid"] == production_sandbox.pid
    assert status["django_loaded"] is False
    keys = set(status["environ_keys"])
    assert not keys & {"DATABASE_URL", "TUNEBENCH_SECRET_KEY", "CELERY_BROKER_URL"}
    assert not keys & {"DJANGO_SETTINGS_MODULE", "TUNEBENCH_SANDBOX_TESTING", "VIRTUAL_ENV"}
    assert {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"} <= keys


def test_testing_estimators_do_not_run_without_testing(production_sandbox, tmp_path):
    """Outside the test stacks, a testing estimator is just a name the registry refuses."""
    job_dir = write_job(
        tmp_path / "job",
        iris_frame(),
        target="species",
        estimator="tunebench.testing.Crash",
        parameters={},
    )

    outcome = production_sandbox.execute(job_dir, LIMITS)

    assert (outcome.status, outcome.code) == ("failed", "estimator_error")
    assert outcome.message.startswith("ParameterError: estimator: 'tunebench.testing.Crash'")


def test_the_zygote_kills_its_running_child_when_the_worker_goes_away(tmp_path):
    """End of file on the zygote's stdin (the worker died) stops the run and the zygote."""
    job_dir = write_job(
        tmp_path / "job",
        iris_frame(),
        target="species",
        estimator="tunebench.testing.Sleep",
        parameters={"seconds": 600},
    )
    zygote = subprocess.Popen(
        [sys.executable, "-m", "runs.sandbox"],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={"PATH": os.environ["PATH"], "TUNEBENCH_SANDBOX_TESTING": "1"},
    )
    try:
        request = {
            "op": "execute",
            "job_dir": str(job_dir),
            "limits": asdict(Limits(memory_mb=512, wall_seconds=600, cpu_seconds=600)),
        }
        zygote.stdin.write(json.dumps(request).encode() + b"\n")
        zygote.stdin.flush()
        children = Path(f"/proc/{zygote.pid}/task/{zygote.pid}/children")
        deadline = time.monotonic() + 60
        while not children.read_text().split() and time.monotonic() < deadline:
            time.sleep(0.05)
        (child,) = children.read_text().split()

        zygote.stdin.close()

        assert zygote.wait(timeout=60) == 0
        assert not Path(f"/proc/{child}").exists()
        assert zygote.stdout.read() == b""  # no reply: nobody is listening
    finally:
        zygote.kill()
        zygote.wait()
        zygote.stdout.close()


def test_get_sandbox_is_one_lazy_instance_per_process():
    """The same instance on every call (nothing started), a new one for other settings."""
    first = get_sandbox()
    try:
        assert get_sandbox() is first
        assert first.pid is None
        other = get_sandbox(testing=True)
        assert other is not first
        assert get_sandbox(testing=True) is other
    finally:
        get_sandbox(testing=True).close()


def test_the_sandbox_modules_do_not_import_django():
    """The zygote imports runs.sandbox without Django on its path or in its modules."""
    code = (
        "import sys, runs.sandbox, runs.testing_estimators; "
        "assert 'django' not in sys.modules; assert 'sklearn' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True)


def test_testing_parameters_are_validated_like_the_registrys():
    """Defaults filled in, strict types, every problem reported with the registry's codes."""
    assert validate_testing_parameters("tunebench.testing.Sleep", {"seconds": 2}) == {
        "seconds": 2.0
    }
    assert validate_testing_parameters("tunebench.testing.Hog", {}) == {"megabytes": 1024}
    assert validate_testing_parameters("tunebench.testing.Crash", {}) == {}
    with pytest.raises(ParameterError) as caught:
        validate_testing_parameters(
            "tunebench.testing.Hog", {"megabytes": 2.0, "seconds": 1, "gigabytes": True}
        )
    assert caught.value.problems == [
        {
            "field": "parameters.gigabytes",
            "code": "unknown_parameter",
            "message": "tunebench.testing.Hog has no such parameter",
        },
        {
            "field": "parameters.megabytes",
            "code": "bad_type",
            "message": "got 2.0; expected an integer from 1 to 1000000",
        },
        {
            "field": "parameters.seconds",
            "code": "unknown_parameter",
            "message": "tunebench.testing.Hog has no such parameter",
        },
    ]
    with pytest.raises(ParameterError) as caught:
        validate_testing_parameters("tunebench.testing.Sleep", {"seconds": float("inf")})
    assert caught.value.code == "non_finite"
    with pytest.raises(ParameterError) as caught:
        validate_testing_parameters("tunebench.testing.Sleep", {"seconds": 3601})
    assert caught.value.code == "out_of_range"


def test_testing_estimators_are_described_like_the_registrys():
    """Same keys as list_estimators() items, hyperparameters included."""
    described = describe_testing_estimators()
    reference = list_estimators()[0]

    assert [item["name"] for item in described] == sorted(TESTING_ESTIMATORS)
    assert all(set(item) == set(reference) for item in described)
    sleep = next(item for item in described if item["name"] == "tunebench.testing.Sleep")
    assert sleep["hyperparameters"] == [
        {
            "name": "seconds",
            "kind": "float",
            "default": 0.0,
            "low": 0.0,
            "high": 3600.0,
            "log": False,
            "choices": [],
            "nullable": False,
            "condition": None,
        }
    ]
    assert set(sleep["hyperparameters"][0]) == set(reference["hyperparameters"][0])
