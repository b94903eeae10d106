"""A configuration submitted with the client is executed by the real worker, verified, and
reproducible locally byte for byte; an upload of the same configuration is re-verified.

Through the live stack (tests/stack.py): `tunebench.submit`, `Submission.wait`,
`seed_summary`, the leaderboard's seed interval, `run_estimator_on_task` against the
server's predictions, then `Run.publish` of a local registry run and `Run.reverify`.
"""

from __future__ import annotations

import pytest

from tests.e2e.test_client_runs import CLASSIFICATION_CV, _classification_frame, _client

pytestmark = pytest.mark.e2e

TREE = "sklearn.tree.DecisionTreeClassifier"
PARAMETERS = {"max_depth": 4, "splitter": "random"}


@pytest.fixture(scope="module")
def alice(live_stack, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUNEBENCH_CACHE_DIR", str(tmp_path_factory.mktemp("submit-cache")))
        yield _client(live_stack, "e2e-submit-alice")


@pytest.fixture(scope="module")
def task(alice):
    dataset = alice.upload_dataset(
        _classification_frame(),
        name="e2e-submit-classes",
        default_target_attribute="label",
        wait=True,
        timeout=90,
    )
    return alice.create_task(
        dataset.id,
        target="label",
        estimation_procedure=CLASSIFICATION_CV,
        seed=7,
        wait=True,
        timeout=90,
    )


def test_a_client_submission_is_executed_verified_and_reproducible(alice, task):
    submission = alice.submit(task, TREE, PARAMETERS, seeds=[0, 1, 2])
    assert [run.seed for run in submission.runs] == [0, 1, 2]
    submission.wait(timeout=180, poll_interval=0.5, progress=False)
    assert not submission.failed, [run.error for run in submission.failed]
    assert all(run.verified for run in submission.runs)

    summary = submission.seed_summary()
    accuracy = summary.set_index("measure").loc["predictive_accuracy"]
    assert accuracy["n"] == 3
    values = [run.evaluations["predictive_accuracy"] for run in submission.runs]
    assert accuracy["mean"] == pytest.approx(sum(values) / 3)

    board = alice.get_leaderboard(task.id)
    [row] = board[board["configuration"] == submission.configuration_id].to_dict("records")
    assert row["verified"]
    assert row["seeds_n"] == 3

    # Anyone can reproduce a server run with the registry's pipeline, byte for byte.
    served = submission.runs[1]
    local = alice.run_estimator_on_task(TREE, task, PARAMETERS, seed=1, progress=False)
    import pandas as pd

    pd.testing.assert_frame_equal(local.predictions, served.get_predictions(progress=False))


def test_a_local_registry_run_is_published_and_reverified(alice, task):
    local = alice.run_estimator_on_task(TREE, task, PARAMETERS, seed=5, progress=False)
    local.publish()
    local.wait(timeout=120, poll_interval=0.5, progress=False)
    assert local.status == "done"
    assert local.flow.name == f"tunebench.{TREE}"
    assert not local.verified

    server_run = local.reverify()
    server_run.wait(timeout=180, poll_interval=0.5, progress=False)
    assert server_run.status == "done"
    assert server_run.verified
    verification = alice.get_run(local.id).verification
    assert verification["status"] == "match", verification
    assert verification["run"] == server_run.id
