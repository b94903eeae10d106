"""Submitted configurations are executed by a real worker, verified, deterministic, and survive
faults: memory and time limits, an estimator that kills its own process, a worker killed
mid-execution (issue 6, "Faults").

One stack of its own (its worker is killed): the server's test estimators on
(``TUNEBENCH_TEST_ESTIMATORS``), a 512 MiB / 8 s sandbox, and short sweeper deadlines so a
run whose worker died is executed again within the test; the sweeper runs as
``manage.py requeue_stuck_runs --loop``, standing in for beat. Everything goes through
HTTP; runs on the embedded default and, with DATABASE_URL / CELERY_BROKER_URL set, on
MySQL + Redis.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time

import pytest
import requests

from tests.e2e.test_runs_kill import active_task, api_key
from tests.stack import REPO, Stack

pytestmark = pytest.mark.e2e

ENV = {
    "TUNEBENCH_TEST_ESTIMATORS": "1",
    "TUNEBENCH_EXECUTE_MEMORY_MB": "512",
    "TUNEBENCH_EXECUTE_WALL_S": "8",
    "TUNEBENCH_RUN_SCORE_SOFT_TIME_LIMIT_S": "20",
    "TUNEBENCH_RUN_SCORE_TIME_LIMIT_S": "25",
    "TUNEBENCH_RUN_SCORE_DEADLINE_S": "30",
    # A run executing longer than this lost its worker: above the slowest run here (the
    # 4-fold Sleep below, about 5 s), far below the default.
    "TUNEBENCH_RUN_EXECUTE_DEADLINE_S": "15",
    "TUNEBENCH_RUN_RESEND_AFTER_S": "60",
}
TREE = "sklearn.tree.DecisionTreeClassifier"
FOUR_FOLD = 25  # 4-fold stratified cross-validation


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("execution"), env=ENV, concurrency=2)
    try:
        stack.start()
        stack.spawn(
            "sweeper",
            [
                sys.executable,
                str(REPO / "manage.py"),
                "requeue_stuck_runs",
                "--loop",
                "--interval",
                "1",
            ],
        )
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def alice(stack):
    return {"Authorization": f"Token {api_key(stack, 'alice')}"}


@pytest.fixture(scope="module")
def task(stack, alice):
    created, _truth = active_task(stack, alice, rows=300, procedure=FOUR_FOLD)
    return created


def submit(stack, headers, task, estimator=TREE, parameters=None, seeds=(0,)) -> dict:
    response = requests.post(
        f"{stack.url}/api/v1/submissions/",
        headers=headers,
        json={
            "task": task["id"],
            "estimator": estimator,
            "parameters": parameters or {},
            "seeds": list(seeds),
        },
        timeout=60,
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


def wait_finished(stack, headers, run_ids, timeout=180) -> list[dict]:
    deadline = time.monotonic() + timeout
    pending = set(run_ids)
    runs: dict[int, dict] = {}
    while pending and time.monotonic() < deadline:
        for run_id in list(pending):
            body = requests.get(f"{stack.url}/api/v1/runs/{run_id}/", headers=headers, timeout=30)
            runs[run_id] = body.json()
            if runs[run_id]["status"] in ("done", "failed"):
                pending.discard(run_id)
        time.sleep(0.3)
    assert not pending, f"runs {sorted(pending)} unfinished\n{stack.logs()}"
    return [runs[run_id] for run_id in run_ids]


def predictions_sha256(stack, headers, run: dict) -> str:
    download = requests.get(f"{stack.url}{run['predictions']['url']}", headers=headers, timeout=60)
    assert download.status_code == 200
    return hashlib.sha256(download.content).hexdigest()


def test_a_submission_is_executed_verified_and_ranked_with_its_seed_interval(stack, alice, task):
    submission = submit(
        stack, alice, task, parameters={"max_depth": 4, "splitter": "random"}, seeds=(0, 1, 2)
    )
    assert submission["flow"]["executable"] is True
    runs = wait_finished(stack, alice, [run["id"] for run in submission["runs"]])
    for run in runs:
        assert run["status"] == "done", run["error"]
        assert run["verified"] is True
        assert len(run["fold_timings"]) == 4
        assert run["resources"]["peak_memory_mb"] > 0
        assert run["environment"]["libraries"]["scikit-learn"]
        assert {e["measure"] for e in run["evaluations"]} >= {"predictive_accuracy"}
    # Exactly one set of evaluations each (the database's truth).
    rows = stack.query(
        "SELECT run_id, COUNT(*) FROM runs_evaluation WHERE run_id IN (%s, %s, %s) GROUP BY run_id",
        tuple(run["id"] for run in runs),
    )
    assert len({count for _, count in rows}) == 1

    seeds = requests.get(
        f"{stack.url}/api/v1/configurations/{submission['configuration']['id']}/seeds/",
        headers=alice,
        timeout=30,
    ).json()
    [summary] = seeds
    assert summary["seeds"] == [0, 1, 2]
    accuracy = next(m for m in summary["measures"] if m["measure"] == "predictive_accuracy")
    assert accuracy["n"] == 3
    board = requests.get(
        f"{stack.url}/api/v1/tasks/{task['id']}/leaderboard/", headers=alice, timeout=30
    ).json()
    entry = next(e for e in board["entries"] if e["configuration"] == summary["configuration"])
    assert entry["verified"] is True
    assert entry["seeds"]["n"] == 3


def test_the_same_configuration_and_seed_give_byte_identical_predictions(stack, alice, task):
    bob = {"Authorization": f"Token {api_key(stack, 'bob')}"}
    parameters = {"max_depth": 3, "splitter": "random"}
    mine = submit(stack, alice, task, parameters=parameters, seeds=(11,))["runs"][0]
    his = submit(stack, bob, task, parameters=parameters, seeds=(11,))["runs"][0]
    assert mine["id"] != his["id"]
    mine, his = wait_finished(stack, alice, [mine["id"], his["id"]])
    assert mine["status"] == his["status"] == "done"
    assert mine["predictions"]["sha256"] == his["predictions"]["sha256"]
    assert predictions_sha256(stack, alice, mine) == mine["predictions"]["sha256"]


def test_limits_fail_the_run_and_the_worker_keeps_serving(stack, alice, task):
    hog = submit(stack, alice, task, "tunebench.testing.Hog", {"megabytes": 4096})["runs"][0]
    sleepy = submit(stack, alice, task, "tunebench.testing.Sleep", {"seconds": 60.0})["runs"][0]
    crash = submit(stack, alice, task, "tunebench.testing.Crash", seeds=(5,))["runs"][0]
    after = submit(stack, alice, task, parameters={"max_depth": 2}, seeds=(21,))["runs"][0]
    hog, sleepy, crash, after = wait_finished(
        stack, alice, [hog["id"], sleepy["id"], crash["id"], after["id"]]
    )
    assert (hog["status"], hog["error"]["code"]) == ("failed", "memory_limit")
    assert (sleepy["status"], sleepy["error"]["code"]) == ("failed", "timeout")
    assert (crash["status"], crash["error"]["code"]) == ("failed", "crashed")
    [(attempt,)] = stack.query("SELECT attempt FROM runs_run WHERE id = %s", (crash["id"],))
    assert attempt == 3  # tried up to the attempt cap
    assert after["status"] == "done", after["error"]


def test_a_worker_killed_mid_execution_loses_nothing(stack, alice, task):
    slow = submit(stack, alice, task, "tunebench.testing.Sleep", {"seconds": 1.2}, seeds=(7,))
    run_id = slow["runs"][0]["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = requests.get(f"{stack.url}/api/v1/runs/{run_id}/", headers=alice, timeout=30)
        if status.json()["status"] != "queued":
            break
        time.sleep(0.1)
    rows = stack.query(
        "SELECT id, status, attempt, enqueued_at, error_code FROM runs_run WHERE origin = %s",
        ("server",),
    )
    assert status.json()["status"] == "running", f"{status.json()}\n{rows}\n{stack.logs()}"
    time.sleep(1.0)  # inside the first fold's fit
    stack.kill_worker()
    stack.start_worker()
    [run] = wait_finished(stack, alice, [run_id], timeout=240)
    assert run["status"] == "done", run["error"]
    [(attempt, stalls)] = stack.query(
        "SELECT attempt, stalls FROM runs_run WHERE id = %s", (run_id,)
    )
    assert attempt >= 2
    assert stalls >= 1
    [(count,)] = stack.query(
        "SELECT COUNT(*) FROM runs_evaluation WHERE run_id = %s AND measure = %s",
        (run_id, "predictive_accuracy"),
    )
    assert count == 1


def test_an_uploaded_run_is_reexecuted_and_verified(stack, alice, task):
    parameters = {"max_depth": 5, "splitter": "random"}
    # Predictions made elsewhere with the registry's pipeline: here, the server's own.
    [source] = wait_finished(
        stack,
        alice,
        [submit(stack, alice, task, parameters=parameters, seeds=(9,))["runs"][0]["id"]],
    )
    body = requests.get(f"{stack.url}{source['predictions']['url']}", headers=alice, timeout=60)
    flow = requests.get(f"{stack.url}/api/v1/estimators/{TREE}/flow/", timeout=30).json()
    uploaded = requests.post(
        f"{stack.url}/api/v1/runs/",
        headers=alice,
        data={
            "task": task["id"],
            "flow": flow["id"],
            "parameters": json.dumps(parameters),
            "seed": 9,
        },
        files={"predictions": ("predictions.parquet", body.content)},
        timeout=60,
    )
    assert uploaded.status_code == 201, uploaded.text
    [uploaded] = wait_finished(stack, alice, [uploaded.json()["id"]])
    assert (uploaded["status"], uploaded["verified"]) == ("done", False)
    assert uploaded["configuration"]["id"] == source["configuration"]["id"]

    reverify = requests.post(
        f"{stack.url}/api/v1/runs/{uploaded['id']}/reverify/", headers=alice, timeout=60
    )
    assert reverify.status_code == 202, reverify.text
    [server_run] = wait_finished(stack, alice, [reverify.json()["id"]])
    assert server_run["status"] == "done", server_run["error"]
    shown = requests.get(f"{stack.url}/api/v1/runs/{uploaded['id']}/", headers=alice, timeout=30)
    verification = shown.json()["verification"]
    assert verification["status"] == "match", verification
    assert verification["run"] == server_run["id"]
    assert set(verification["differences"].values()) == {0.0}
