"""A scikit-learn model run locally with the client and published is scored by the real worker,
with the same numbers, and shows on its run page and on the task's leaderboard.

Everything goes through the live stack (tests/stack.py): the client's HTTP calls, the run's
scoring job on the real celery worker, and the public web pages. Each test defines its own
task (a new split seed on a shared dataset), so its runs, evaluations and leaderboard are its
own.
"""

from __future__ import annotations

import itertools
import math
import re

import pytest
import requests

pytestmark = pytest.mark.e2e

N_ROWS = 150
# 10-fold crossvalidation, as OpenML numbers the procedures
CLASSIFICATION_CV = 1
REGRESSION_CV = 7
_task_seeds = itertools.count(100)


def _classification_frame():
    import pandas as pd

    rows = []
    for i in range(N_ROWS):
        x = float(i)
        z = float((i * 37) % 11)
        label = "lo" if i < 50 else ("mid" if i < 100 else "hi")
        if i % 13 == 0:  # some noise, so no model is perfect
            label = {"lo": "mid", "mid": "hi", "hi": "lo"}[label]
        rows.append({"x": x, "z": z, "label": label})
    frame = pd.DataFrame(rows)
    frame["label"] = pd.Categorical(frame["label"], categories=["hi", "lo", "mid"])
    return frame


def _regression_frame():
    import pandas as pd

    return pd.DataFrame(
        {
            "a": [float(i % 17) for i in range(N_ROWS)],
            "b": [float((i * 7) % 23) for i in range(N_ROWS)],
            "price": [
                3.0 * (i % 17) - 2.0 * ((i * 7) % 23) + 0.1 * ((i * 13) % 5) for i in range(N_ROWS)
            ],
        }
    )


class World:
    """Two people with API keys, and a classification and a regression dataset."""

    def __init__(self, stack, alice, bob, classification, regression):
        self.stack = stack
        self.alice, self.bob = alice, bob
        self.classification, self.regression = classification, regression

    def classification_task(self):
        return self.alice.create_task(
            self.classification.id,
            target="label",
            estimation_procedure=CLASSIFICATION_CV,
            seed=next(_task_seeds),
            wait=True,
            timeout=90,
        )

    def regression_task(self):
        return self.alice.create_task(
            self.regression.id,
            target="price",
            task_type="regression",
            estimation_procedure=REGRESSION_CV,
            seed=next(_task_seeds),
            wait=True,
            timeout=90,
        )

    def page(self, path: str) -> str:
        """A public web page, fetched without signing in."""
        response = requests.get(f"{self.stack.url}{path}", timeout=30)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response.text


def _client(stack, username):
    import tunebench

    created = stack.manage("create_api_key", username, "--create-user", check=True)
    return tunebench.Client(stack.url, created.stdout.split()[-1])


@pytest.fixture(scope="module")
def world(live_stack, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUNEBENCH_CACHE_DIR", str(tmp_path_factory.mktemp("client-cache")))
        alice = _client(live_stack, "e2e-runs-alice")
        bob = _client(live_stack, "e2e-runs-bob")
        classification = alice.upload_dataset(
            _classification_frame(),
            name="e2e-runs-classes",
            default_target_attribute="label",
            wait=True,
            timeout=90,
        )
        regression = alice.upload_dataset(
            _regression_frame(),
            name="e2e-runs-prices",
            default_target_attribute="price",
            wait=True,
            timeout=90,
        )
        assert (classification.status, regression.status) == ("active", "active")
        yield World(live_stack, alice, bob, classification, regression)


def _same(server, local):
    """A server value (None where undefined) equals the engine's local one (NaN there)."""
    if local is None or math.isnan(local):
        return server is None
    return server is not None and server == pytest.approx(local, rel=0, abs=1e-12)


def _publish_and_wait(run):
    run.publish()
    assert run.status in ("queued", "scoring", "done"), run
    run.wait(timeout=120, poll_interval=0.5, progress=False)
    assert run.status == "done", run
    return run


def test_a_decision_tree_run_is_scored_by_the_server_as_it_was_locally(world):
    from sklearn.tree import DecisionTreeClassifier

    task = world.classification_task()
    run = world.alice.run_model_on_task(DecisionTreeClassifier(), task, seed=0, progress=False)
    assert run.id is None
    assert run.status is None
    predictions = run.predictions
    assert len(predictions) == N_ROWS  # 10-fold CV: every row tested once
    assert sorted(predictions["row_id"]) == list(range(N_ROWS))
    assert {f"confidence.{label}" for label in task.class_labels} <= set(predictions.columns)
    assert run.parameters["random_state"] == 0
    local = run.evaluate(progress=False)

    _publish_and_wait(run)

    assert run.id is not None
    assert run.configuration_id is not None
    assert run.flow.id is not None  # published with the run
    assert run.seed == 0
    assert run.uploader.username == "e2e-runs-alice"
    accuracy = run.evaluations["predictive_accuracy"]
    assert 0.5 < accuracy < 1.0
    assert accuracy == pytest.approx(local.mean["predictive_accuracy"], rel=0, abs=1e-12)
    # every measure the engine computes locally, the server computed the same
    assert set(run.evaluations) == set(local.mean)
    for measure, value in local.mean.items():
        assert _same(run.evaluations[measure], value), measure
        assert _same(run.evaluation_std[measure], local.std[measure]), measure

    # per fold, as the server reports them, and as the client read them
    per_fold = run.per_fold
    accuracy_folds = per_fold[per_fold["measure"] == "predictive_accuracy"]
    assert len(accuracy_folds) == 10
    for row in accuracy_folds.itertuples():
        expected = local.per_fold[(row.repeat, row.fold)]["predictive_accuracy"]
        assert row.value == pytest.approx(expected, rel=0, abs=1e-12), (row.repeat, row.fold)
    served = {
        (row.measure, row.repeat, row.fold): (None if math.isnan(row.value) else row.value)
        for row in per_fold.itertuples()
    }
    expected_keys = {
        (measure, repeat, fold)
        for (repeat, fold), scores in local.per_fold.items()
        for measure in scores
    }
    assert set(served) == expected_keys
    for (repeat, fold), scores in local.per_fold.items():
        for measure, value in scores.items():
            assert _same(served[(measure, repeat, fold)], value), (measure, repeat, fold)

    # read back from scratch: the same numbers, and the predictions as published
    fetched = world.bob.get_run(run.id)
    assert (fetched.status, fetched.task_id) == ("done", task.id)
    assert fetched.evaluations == run.evaluations
    assert fetched.flow.id == run.flow.id
    assert fetched.configuration_id == run.configuration_id
    downloaded = fetched.get_predictions(progress=False)
    assert sorted(downloaded["row_id"]) == list(range(N_ROWS))
    by_row = downloaded.set_index("row_id")["prediction"]
    assert [by_row[i] for i in predictions["row_id"]] == list(predictions["prediction"])


def test_the_same_model_and_seed_share_a_configuration_and_other_seeds_do_not(world):
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.tree import DecisionTreeClassifier

    task = world.classification_task()
    first = world.alice.run_model_on_task(DecisionTreeClassifier(), task, seed=0, progress=False)
    again = world.alice.run_model_on_task(DecisionTreeClassifier(), task, seed=0, progress=False)
    pd.testing.assert_frame_equal(first.predictions, again.predictions)
    assert first.parameters == again.parameters
    _publish_and_wait(first)
    _publish_and_wait(again)
    assert first.id != again.id
    assert again.flow.id == first.flow.id  # the identical flow, found again
    assert again.configuration_id == first.configuration_id
    assert again.evaluations == first.evaluations

    forests = [
        world.alice.run_model_on_task(
            RandomForestClassifier(n_estimators=10), task, seed=seed, progress=False
        )
        for seed in (1, 2)
    ]
    assert [forest.parameters["random_state"] for forest in forests] == [1, 2]
    for forest in forests:
        _publish_and_wait(forest)
    one, two = forests
    assert one.flow.id == two.flow.id != first.flow.id
    assert one.configuration_id != two.configuration_id
    assert len({first.configuration_id, one.configuration_id, two.configuration_id}) == 3
    configurations = [world.bob.get_configuration(f.configuration_id) for f in forests]
    assert [c.parameters["random_state"] for c in configurations] == [1, 2]
    assert [c.flow.id for c in configurations] == [one.flow.id] * 2
    assert {k: v for k, v in configurations[0].parameters.items() if k != "random_state"} == {
        k: v for k, v in configurations[1].parameters.items() if k != "random_state"
    }

    listed = world.bob.list_runs(task=task)
    assert sorted(listed["id"]) == sorted(r.id for r in (first, again, one, two))
    by_id = listed.set_index("id")
    assert by_id.loc[first.id, "configuration_id"] == by_id.loc[again.id, "configuration_id"]
    assert list(by_id.loc[[one.id, two.id], "seed"]) == [1, 2]


def test_a_pipeline_flow_is_published_with_its_components(world):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    import tunebench

    task = world.classification_task()
    model = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=500))])
    local_flow = tunebench.flow_from_sklearn(model)
    assert local_flow.id is None
    run = world.alice.run_model_on_task(model, task, seed=0, progress=False)
    assert run.parameters["clf__max_iter"] == 500
    local = run.evaluate(progress=False)
    _publish_and_wait(run)
    assert run.evaluations["predictive_accuracy"] == pytest.approx(
        local.mean["predictive_accuracy"], rel=0, abs=1e-12
    )

    published = run.flow
    assert published.id is not None
    assert published.version is not None
    assert [c.identifier for c in published.components] == ["scale", "clf"]
    assert all(c.flow.id is not None for c in published.components)

    tree = world.bob.get_flow(published.id)
    assert tree.name == local_flow.name
    assert tree.name.startswith("sklearn.pipeline.Pipeline(scale=")
    assert tree.external_version == local_flow.external_version
    assert [c.identifier for c in tree.components] == ["scale", "clf"]
    by_identifier = {c.identifier: c.flow for c in tree.components}
    local_components = {c.identifier: c.flow for c in local_flow.components}
    for identifier in ("scale", "clf"):
        component = by_identifier[identifier]
        assert isinstance(component, tunebench.Flow)  # the full flow, not a reference
        assert component.id == {c.identifier: c.flow.id for c in published.components}[identifier]
        assert component.name == local_components[identifier].name
        assert {p.name for p in component.parameters} == {
            p.name for p in local_components[identifier].parameters
        }
    assert by_identifier["clf"].class_name == "sklearn.linear_model._logistic.LogisticRegression"
    assert "C" in {p.name for p in by_identifier["clf"].parameters}
    steps = {p.name: p.default for p in tree.parameters}["steps"]
    assert steps == [["scale", {"component": "scale"}], ["clf", {"component": "clf"}]]

    # the configuration holds the components' values under their identifiers
    configuration = world.bob.get_configuration(run.configuration_id)
    assert configuration.flow.id == published.id
    assert configuration.parameters["clf__max_iter"] == 500
    assert configuration.parameters["clf__C"] == 1.0
    assert configuration.parameters["scale__with_mean"] is True


def test_runs_evaluations_leaderboard_and_pages_of_two_people(world):
    from sklearn.tree import DecisionTreeClassifier

    from frontend.rendering import format_number

    task = world.classification_task()
    deep = world.alice.run_model_on_task(DecisionTreeClassifier(), task, seed=0, progress=False)
    stump = world.bob.run_model_on_task(
        DecisionTreeClassifier(max_depth=1), task, seed=0, progress=False
    )
    _publish_and_wait(deep)
    _publish_and_wait(stump)
    better, worse = deep, stump
    assert better.evaluations["predictive_accuracy"] > worse.evaluations["predictive_accuracy"], (
        "the data should make a full tree beat a stump"
    )
    assert better.flow.id == worse.flow.id
    assert better.configuration_id != worse.configuration_id

    runs = world.alice.list_runs(task=task)
    assert list(runs["id"]) == [worse.id, better.id]  # newest first
    by_id = runs.set_index("id")
    assert list(by_id.loc[[better.id, worse.id], "uploader"]) == [
        "e2e-runs-alice",
        "e2e-runs-bob",
    ]
    assert set(runs["status"]) == {"done"}
    assert set(runs["evaluation_measure"]) == {"predictive_accuracy"}
    for run in (better, worse):
        assert by_id.loc[run.id, "value"] == run.evaluations["predictive_accuracy"]
        assert by_id.loc[run.id, "configuration_id"] == run.configuration_id

    evaluations = world.bob.list_evaluations(
        task=task, measure="predictive_accuracy", with_parameters=True
    )
    assert sorted(evaluations["run"]) == sorted([better.id, worse.id])
    assert set(evaluations["measure"]) == {"predictive_accuracy"}
    hyperparameters = set(evaluations.columns) - {
        "run",
        "task",
        "flow",
        "flow_name",
        "configuration",
        "uploader",
        "team",
        "measure",
        "value",
        "std",
        "created_at",
    }
    assert hyperparameters == set(better.parameters) == set(worse.parameters)
    assert {"max_depth", "criterion", "random_state"} <= hyperparameters
    rows = evaluations.set_index("run")
    assert rows.loc[better.id, "max_depth"] is None
    assert rows.loc[worse.id, "max_depth"] == 1
    assert list(rows.loc[[better.id, worse.id], "random_state"]) == [0, 0]
    for run in (better, worse):
        assert rows.loc[run.id, "value"] == run.evaluations["predictive_accuracy"]
        assert rows.loc[run.id, "configuration"] == run.configuration_id
        assert rows.loc[run.id, "uploader"] == run.uploader.username

    board = world.bob.get_leaderboard(task, by="person")
    assert board.attrs == {
        "measure": "predictive_accuracy",
        "higher_is_better": True,
        "by": "person",
    }
    assert list(board["person"]) == ["e2e-runs-alice", "e2e-runs-bob"]
    assert list(board["rank"]) == [1, 2]
    assert list(board["run"]) == [better.id, worse.id]
    assert list(board["value"]) == [
        better.evaluations["predictive_accuracy"],
        worse.evaluations["predictive_accuracy"],
    ]
    assert world.bob.get_leaderboard(task, by="team").empty  # no run was for a team

    # the run's page: public (the dataset is), scored, with its measure
    page = world.page(f"/runs/{better.id}/")
    assert '<span class="badge badge-ok">done</span>' in page
    assert "predictive_accuracy" in page
    score = re.search(r'data-testid="task-score">([^<]+)<', page)
    assert score is not None, page[:2000]
    assert score.group(1).strip() == format_number(better.evaluations["predictive_accuracy"])
    assert "e2e-runs-alice" in page

    # the task's page: the leaderboard of people, best first, with the uploaders' names
    page = world.page(f"/tasks/{task.id}/")
    board_html = re.search(r'data-board="person">(.*?)</table>', page, re.S)
    assert board_html is not None, page[:2000]
    people = board_html.group(1)
    assert people.index("e2e-runs-alice") < people.index("e2e-runs-bob")
    assert f'href="/runs/{better.id}/"' in people
    assert f'href="/runs/{worse.id}/"' in people
    assert format_number(better.evaluations["predictive_accuracy"]) in people


def test_predictions_missing_a_row_are_refused_and_nothing_is_stored(world):
    from sklearn.tree import DecisionTreeClassifier

    import tunebench

    task = world.classification_task()
    run = world.alice.run_model_on_task(
        DecisionTreeClassifier(max_depth=3), task, seed=0, progress=False
    )
    broken = run.predictions.drop(index=run.predictions.index[5]).reset_index(drop=True)
    assert len(broken) == N_ROWS - 1
    with pytest.raises(tunebench.ValidationError) as raised:
        world.alice.publish_run(
            task, broken, flow=run.flow, parameters=run.parameters, seed=0, progress=False
        )
    assert raised.value.code == "missing_rows"
    assert raised.value.status == 400
    assert world.alice.list_runs(task=task).empty
    assert world.bob.list_evaluations(task=task).empty
    assert world.bob.get_leaderboard(task).empty

    # the run itself, complete, is still accepted
    _publish_and_wait(run)
    assert list(world.alice.list_runs(task=task)["id"]) == [run.id]


def test_a_regression_leaderboard_ranks_the_lower_rmse_first(world):
    from sklearn.dummy import DummyRegressor
    from sklearn.linear_model import Ridge

    task = world.regression_task()
    assert task.evaluation_measure == "root_mean_squared_error"
    ridge = world.alice.run_model_on_task(Ridge(), task, seed=0, progress=False)
    dummy = world.bob.run_model_on_task(DummyRegressor(), task, seed=0, progress=False)
    local = {run.flow.name: run.evaluate(progress=False) for run in (ridge, dummy)}
    assert "prediction" in ridge.predictions.columns
    assert not any(c.startswith("confidence.") for c in ridge.predictions.columns)
    _publish_and_wait(dummy)  # the worse run first: the order is the measure's, not time's
    _publish_and_wait(ridge)
    for run in (ridge, dummy):
        assert run.evaluations["root_mean_squared_error"] == pytest.approx(
            local[run.flow.name].mean["root_mean_squared_error"], rel=0, abs=1e-12
        )
    good = ridge.evaluations["root_mean_squared_error"]
    bad = dummy.evaluations["root_mean_squared_error"]
    assert 0 <= good < bad

    measures = world.bob.list_measures("regression").set_index("name")
    assert not measures.loc["root_mean_squared_error", "higher_is_better"]

    board = world.bob.get_leaderboard(task)
    assert board.attrs["measure"] == "root_mean_squared_error"
    assert board.attrs["higher_is_better"] is False
    assert list(board["person"]) == ["e2e-runs-alice", "e2e-runs-bob"]
    assert list(board["run"]) == [ridge.id, dummy.id]
    assert list(board["value"]) == [good, bad]
    assert list(board["rank"]) == [1, 2]

    page = world.page(f"/tasks/{task.id}/")
    people = re.search(r'data-board="person">(.*?)</table>', page, re.S).group(1)
    assert people.index("e2e-runs-alice") < people.index("e2e-runs-bob")
    assert "lower is better" in page
