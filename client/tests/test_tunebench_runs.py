"""Runs: a model run locally on a task's splits, publishing, waiting, lists and the `runs` CLI.

Against conftest's fake server, with the run routes installed by `FakeRuns` below: flows get ids
as they are posted; `POST /runs/` parses the multipart body and checks the predictions with the
engine against the task's real splits, as the server does (400 with the first problem's code);
`runs.script[id]` holds the changes successive GETs of a run apply (queued, running, done or
failed), as conftest's `script` does for datasets. Conftest's dataset 20 (`data`, `task`,
`make_task`) is a real 40-row Parquet file whose `class` dictionary holds `yes`, `no` and
`maybe`, a class no row has, so the task's class labels include one the models never see.
"""

import email.parser
import email.policy
import hashlib
import io
import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

import tunebench
from tunebench import Flow, FlowRef, Run, RunError, ValidationError, WaitTimeout, cli, engine
from tunebench.runs import capture_environment, seed_model

N_ROWS = 40  # conftest's dataset 20
LABELS = ["yes", "no", "maybe"]


def forest(**settings):
    return Pipeline(
        [
            (
                "ct",
                ColumnTransformer(
                    [("num", StandardScaler(), ["x1", "value"]), ("cat", OneHotEncoder(), ["x2"])]
                ),
            ),
            ("clf", RandomForestClassifier(n_estimators=5, **settings)),
        ]
    )


# -- the fake server's run routes ------------------------------------------------------------------


def problem(status, code, detail, **extra):
    return {
        "type": "about:blank",
        "title": detail,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }


def form(body, content_type):
    """A multipart/form-data body's fields and files: {name: [text]}, {name: (filename, bytes)}."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields, files = {}, {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename() is not None:
            files[name] = (part.get_filename(), part.get_payload(decode=True))
        else:
            fields.setdefault(name, []).append(part.get_payload(decode=True).decode())
    return fields, files


class FakeRuns:
    """The run routes: flows, configurations, runs (multipart, checked by the engine),
    predictions downloads and evaluations."""

    def __init__(self, server):
        self.server = server
        self.flows, self.configurations, self.runs = {}, {}, {}
        self.files, self.uploads, self.evaluations = {}, [], []
        self.script = {}
        fallback = server.dataset_route

        def route(method, path, query, body, content_type):
            return self.route(method, path, query, body, content_type) or fallback(
                method, path, query, body, content_type
            )

        server.dataset_route = route

    def route(self, method, path, query, body, content_type):
        if (method, path) == ("POST", "/api/v1/flows/"):
            return self.post_flow(json.loads(body))
        if (method, path) == ("POST", "/api/v1/runs/"):
            return self.post_run(*form(body, content_type))
        if (method, path) == ("GET", "/api/v1/runs/"):
            listed = [
                run
                for run in reversed(self.runs.values())
                if all(str(run[k]["id"]) == query[k][0] for k in ("task", "flow") if k in query)
                and ("status" not in query or run["status"] == query["status"][0])
            ]
            return 200, self.server.page("runs/", listed, query), {}
        if (method, path) == ("GET", "/api/v1/evaluations/"):
            return 200, self.server.page("evaluations/", self.evaluations, query), {}
        match = re.fullmatch(r"/api/v1/(runs|configurations)/(\d+)/(.*)", path)
        if method != "GET" or not match:
            return None
        kind, number, rest = match.group(1), int(match.group(2)), match.group(3)
        if kind == "configurations" and number in self.configurations:
            return 200, self.configurations[number], {}
        if kind == "runs" and number in self.runs and rest == "":
            steps = self.script.get(number)
            if steps:
                self.runs[number].update(steps.pop(0) if len(steps) > 1 else steps[0])
            return 200, self.runs[number], {}
        if kind == "runs" and number in self.files and rest == "predictions/":
            content = self.files[number]
            return 200, content, {"X-Checksum-SHA256": hashlib.sha256(content).hexdigest()}
        return None

    def post_flow(self, payload):
        for component in payload["components"]:
            self.post_flow(component["flow"])
        for flow in self.flows.values():
            if (flow["name"], flow["external_version"]) == (
                payload["name"],
                payload["external_version"],
            ):
                return 200, flow, {}
        flow_id = len(self.flows) + 1
        self.flows[flow_id] = {
            "id": flow_id,
            "name": payload["name"],
            "version": 1,
            "external_version": payload["external_version"],
            "url": f"/api/v1/flows/{flow_id}/",
            "uploader": {"id": 1, "username": "ada"},
            "created_at": "2026-12-03T10:00:00Z",
            "parameters": payload["parameters"],
            "components": [
                {"identifier": c["identifier"], "flow": self.ref(c["flow"]["name"])}
                for c in payload["components"]
            ],
        }
        return 201, self.flows[flow_id], {}

    def ref(self, name):
        flow = next(f for f in self.flows.values() if f["name"] == name)
        return {k: flow[k] for k in ("id", "name", "version", "external_version")}

    def configuration(self, flow, parameters):
        for found in self.configurations.values():
            if found["flow"]["id"] == flow["id"] and found["parameters"] == parameters:
                return found
        configuration_id = len(self.configurations) + 11
        self.configurations[configuration_id] = {
            "id": configuration_id,
            "url": f"/api/v1/configurations/{configuration_id}/",
            "flow": {k: flow[k] for k in ("id", "name", "version", "external_version")},
            "parameters": parameters,
            "hash": hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest(),
            "created_at": "2026-12-03T10:00:00Z",
        }
        return self.configurations[configuration_id]

    def post_run(self, fields, files):
        self.uploads.append((fields, files))
        task = self.server.tasks.get(int(fields["task"][0]))
        if task is None or "predictions" not in files:
            return 400, problem(400, "invalid", "A task and a predictions file are required."), {}
        if "configuration" in fields:
            configuration = self.configurations[int(fields["configuration"][0])]
            flow = self.flows[configuration["flow"]["id"]]
        else:
            flow = self.flows.get(int(fields["flow"][0]))
            if flow is None:
                return 400, problem(400, "unknown_flow", "There is no such flow."), {}
            configuration = self.configuration(
                flow, json.loads(fields.get("parameters", ["{}"])[0])
            )
        _, content = files["predictions"]
        problems = self.check(task, content)
        if problems:
            return problems
        run_id = len(self.runs) + 1
        self.files[run_id] = content
        team = fields.get("team_id", [None])[0]
        self.runs[run_id] = {
            "id": run_id,
            "url": f"/api/v1/runs/{run_id}/",
            "task": {
                "id": task["id"],
                "dataset": {"id": task["dataset"]["id"], "name": task["dataset"]["name"]},
                "target": task["target"],
                "evaluation_measure": task["evaluation_measure"],
            },
            "flow": self.ref(flow["name"]),
            "configuration": {"id": configuration["id"], "parameters": configuration["parameters"]},
            "uploader": {"id": 1, "username": "ada"},
            "team": {"id": int(team), "slug": "lab", "name": "Lab"} if team else None,
            "origin": "uploaded",
            "status": "queued",
            "error": None,
            "seed": int(fields["seed"][0]) if "seed" in fields else None,
            "environment": json.loads(fields.get("environment", ["{}"])[0]),
            "fold_timings": json.loads(fields.get("fold_timings", ["[]"])[0]),
            "tags": fields.get("tags", []),
            "description": fields.get("description", [""])[0],
            "created_at": "2026-12-03T11:00:00Z",
            "finished_at": None,
            "predictions": {
                "format": "parquet" if content.startswith(b"PAR1") else "csv",
                "size": len(content),
                "md5": hashlib.md5(content, usedforsecurity=False).hexdigest(),
                "sha256": hashlib.sha256(content).hexdigest(),
                "url": f"/api/v1/runs/{run_id}/predictions/",
            },
            "evaluations": [],
        }
        return 201, self.runs[run_id], {}

    def check(self, task, content):
        """The server's validation: the engine, against the task's splits (None when valid)."""
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            predictions = Path(folder) / "predictions"
            predictions.write_bytes(content)
            splits = Path(folder) / "splits.parquet"
            splits.write_bytes(self.server.task_files[(task["id"], "parquet")])
            try:
                engine.validate_predictions(
                    engine.read_predictions(predictions),
                    engine.read_splits_parquet(splits),
                    task_type=task["task_type_id"],
                    class_labels=task["class_labels"],
                )
            except engine.PredictionsError as exc:
                body = problem(
                    400,
                    exc.code,
                    exc.message,
                    errors={"predictions": [{"code": exc.code, "message": exc.message}]},
                    problems=[p.to_dict() for p in exc.problems],
                    counts=exc.counts,
                )
                return 400, body, {}
        return None


@pytest.fixture
def runs(server):
    return FakeRuns(server)


def scored(evaluations=None, **changes):
    """The changes that make a run done, with these evaluations."""
    items = evaluations or [
        {
            "measure": "predictive_accuracy",
            "value": 0.75,
            "std": 0.05,
            "per_fold": [{"repeat": 0, "fold": f, "value": 0.7 + f / 100} for f in range(2)],
        },
        {"measure": "kappa", "value": None, "std": None, "per_fold": []},
    ]
    return {
        "status": "done",
        "finished_at": "2026-12-03T11:00:09Z",
        "evaluations": items,
        **changes,
    }


# -- run_model_on_task -----------------------------------------------------------------------------


def test_run_model_on_task_predicts_every_test_row_once(task, data):
    run = task.client.run_model_on_task(forest(), task, seed=3, progress=False)
    assert isinstance(run, Run)
    assert (run.task_id, run.seed, run.id, run.status) == (task.id, 3, None, None)
    frame = run.predictions
    assert list(frame.columns) == [
        "repeat",
        "fold",
        "row_id",
        "prediction",
        "confidence.yes",
        "confidence.no",
        "confidence.maybe",
    ]
    for repeat, fold, _, test in data.splits[1].iter_folds():
        rows = frame[(frame["repeat"] == repeat) & (frame["fold"] == fold)]["row_id"]
        assert rows.tolist() == test.tolist()
    assert len(frame) == N_ROWS
    assert set(frame["prediction"]) <= {"yes", "no"}  # the labels, as text
    assert (frame["confidence.maybe"] == 0).all()  # no training row has it
    confidence = frame[[f"confidence.{label}" for label in LABELS]].to_numpy()
    np.testing.assert_allclose(confidence.sum(axis=1), 1.0)
    # the predicted label is the most confident class, so the columns follow class_labels' order
    best = np.array(LABELS)[confidence.argmax(axis=1)]
    agree = frame["prediction"].to_numpy() == best
    assert agree[confidence.max(axis=1) > 0.5].all()
    checked = engine.validate_predictions(
        pa.Table.from_pandas(frame, preserve_index=False),
        data.splits[1],
        task_type=1,
        class_labels=LABELS,
    )
    assert len(checked.row_id) == N_ROWS


def test_run_records_flow_parameters_timings_and_environment(task):
    model = forest()
    run = task.client.run_model_on_task(model, task.id, seed=3, progress=False)
    assert isinstance(run.flow, Flow)
    assert run.flow.name.startswith("sklearn.pipeline.Pipeline(ct=")
    assert run.flow.id is None
    assert run.parameters["clf__random_state"] == 3
    assert run.parameters["clf__n_estimators"] == 5
    assert model.get_params()["clf__random_state"] is None  # the caller's model is untouched
    assert json.loads(json.dumps(run.parameters, allow_nan=False)) == run.parameters
    assert [(t["repeat"], t["fold"]) for t in run.fold_timings] == [(0, f) for f in range(10)]
    for timing in run.fold_timings:
        assert isinstance(timing["fit_seconds"], float)
        assert isinstance(timing["predict_seconds"], float)
    environment = run.environment
    assert set(environment) == {"python", "libraries", "host", "platform"}
    assert {"scikit-learn", "numpy", "scipy", "pandas", "pyarrow", "tunebench"} <= set(
        environment["libraries"]
    )
    assert environment == capture_environment()
    assert run.task == task
    assert "predictions" not in repr(run)


def test_the_same_seed_gives_the_same_predictions_and_another_seed_others(task):
    first = task.client.run_model_on_task(forest(), task, seed=1, progress=False)
    again = task.client.run_model_on_task(forest(), task, seed=1, progress=False)
    other = task.client.run_model_on_task(forest(), task, seed=2, progress=False)
    pd.testing.assert_frame_equal(first.predictions, again.predictions)
    columns = [f"confidence.{label}" for label in LABELS]
    assert not np.array_equal(first.predictions[columns], other.predictions[columns])
    # a random_state the caller fixed is seeded too; a RandomState object is left alone
    assert forest(random_state=9).get_params()["clf__random_state"] == 9
    fixed = task.client.run_model_on_task(forest(random_state=9), task, seed=1, progress=False)
    pd.testing.assert_frame_equal(fixed.predictions, first.predictions)
    state = np.random.RandomState(0)
    kept = seed_model(forest(random_state=state), 5)
    assert isinstance(kept.get_params()["clf__random_state"], np.random.RandomState)


def test_evaluate_scores_the_run_locally_like_the_task(task, data):
    run = task.client.run_model_on_task(forest(), task, seed=0, progress=False)
    scores = run.evaluate()
    assert scores.mean == task.evaluate(run.predictions).mean
    assert 0 <= scores.mean["predictive_accuracy"] <= 1
    assert "area_under_roc_curve" in scores.mean  # the confidences were scored too


def test_a_model_without_predict_proba_gives_labels_only(task):
    model = Pipeline([("ct", ColumnTransformer([("n", StandardScaler(), ["x1"])])), ("svc", SVC())])
    run = task.client.run_model_on_task(model, task, progress=False)
    assert list(run.predictions.columns) == ["repeat", "fold", "row_id", "prediction"]
    assert run.evaluate().mean["predictive_accuracy"] >= 0


def test_regression_predicts_numbers(client, make_task):
    task = make_task(client, target="value", task_type="regression", estimation_procedure=7)
    model = Pipeline(
        [
            (
                "ct",
                ColumnTransformer(
                    [("cat", OneHotEncoder(), ["x2", "class"])], remainder="passthrough"
                ),
            ),
            ("reg", Ridge()),
        ]
    )
    run = client.run_model_on_task(model, task, progress=False)
    assert list(run.predictions.columns) == ["repeat", "fold", "row_id", "prediction"]
    assert run.predictions["prediction"].dtype == np.float64
    assert "root_mean_squared_error" in run.evaluate().mean


def test_run_model_on_task_refuses_what_is_not_an_estimator(client, runs):
    with pytest.raises(TypeError, match="scikit-learn estimator"):
        client.run_model_on_task(DecisionTreeClassifier, 1)
    with pytest.raises(ValueError, match="seed"):
        client.run_model_on_task(DecisionTreeClassifier(), 1, seed=-1)


# -- publish and wait ------------------------------------------------------------------------------


def test_publish_sends_the_flow_then_the_run_as_multipart(server, runs, task):
    run = task.client.run_model_on_task(forest(), task, seed=4, progress=False)
    assert run.publish(team=3, tags=["baseline", "rf"], description="A forest.") is run
    posts = [(r.method, r.path) for r in server.requests if r.method == "POST"]
    assert posts == [
        ("POST", "/api/v1/tasks/"),
        ("POST", "/api/v1/flows/"),
        ("POST", "/api/v1/runs/"),
    ]
    fields, files = runs.uploads[-1]
    assert fields["task"] == [str(task.id)]
    assert fields["flow"] == [str(run.flow.id)]
    assert json.loads(fields["parameters"][0]) == run.parameters
    assert fields["seed"] == ["4"]
    assert json.loads(fields["environment"][0]) == run.environment
    assert json.loads(fields["fold_timings"][0]) == run.fold_timings
    assert fields["team_id"] == ["3"]
    assert fields["tags"] == ["baseline", "rf"]
    assert fields["description"] == ["A forest."]
    filename, content = files["predictions"]
    assert filename == "predictions.parquet"
    uploaded = pq.read_table(io.BytesIO(content)).to_pandas()
    pd.testing.assert_frame_equal(uploaded, run.predictions)

    assert (run.id, run.status, run.url) == (1, "queued", "/api/v1/runs/1/")
    assert run.flow.id == 5  # its four components were stored first
    assert [c.flow.id for c in run.flow.components] == [3, 4]
    assert run.configuration_id == 11
    assert run.team.name == "Lab"
    assert run.task_ref.evaluation_measure == "predictive_accuracy"
    with pytest.raises(ValueError, match="already published"):
        run.publish()


def test_publish_skips_a_flow_that_has_an_id(server, runs, task):
    first = task.client.run_model_on_task(forest(), task, progress=False).publish()
    second = task.client.run_model_on_task(forest(), task, seed=1, progress=False)
    second.flow.id = first.flow.id
    second.publish()
    flow_posts = [r for r in server.requests if r.path == "/api/v1/flows/"]
    assert len(flow_posts) == 1
    assert second.id == 2
    assert second.configuration_id == 12  # another seed, another configuration


def test_wait_follows_the_run_until_done_and_fills_evaluations(server, runs, task):
    run = task.client.run_model_on_task(forest(), task, progress=False).publish()
    runs.script[run.id] = [{"status": "queued"}, {"status": "scoring"}, scored()]
    assert run.wait(poll_interval=0.01, progress=False) is run
    assert run.status == "done"
    assert run.evaluations == {"predictive_accuracy": 0.75, "kappa": None}
    assert run.evaluation_std["predictive_accuracy"] == 0.05
    assert run.per_fold.to_dict("records") == [
        {"measure": "predictive_accuracy", "repeat": 0, "fold": 0, "value": 0.7},
        {"measure": "predictive_accuracy", "repeat": 0, "fold": 1, "value": 0.71},
    ]
    assert run.finished_at == "2026-12-03T11:00:09Z"
    assert isinstance(run.flow, Flow)  # the local flow is kept
    gets = [r for r in server.requests if (r.method, r.path) == ("GET", "/api/v1/runs/1/")]
    assert len(gets) == 3


def test_wait_raises_the_servers_code_when_the_run_failed(runs, task):
    run = task.client.run_model_on_task(forest(), task, progress=False).publish()
    error = {"code": "execution_timeout", "message": "The model ran out of time."}
    runs.script[run.id] = [{"status": "running"}, {"status": "failed", "error": error}]
    with pytest.raises(RunError) as excinfo:
        run.wait(poll_interval=0.01, progress=False)
    assert excinfo.value.code == "execution_timeout"
    assert excinfo.value.run is run
    assert str(excinfo.value) == "execution_timeout: The model ran out of time. (run 1)"
    assert (run.status, run.error.code) == ("failed", "execution_timeout")


def test_wait_times_out(runs, task):
    run = task.client.run_model_on_task(forest(), task, progress=False).publish()
    with pytest.raises(WaitTimeout, match="still queued"):
        run.wait(timeout=0, progress=False)


def test_invalid_predictions_are_refused_with_the_first_problems_code(server, runs, task):
    run = task.client.run_model_on_task(forest(), task, progress=False)
    run.predictions = run.predictions.iloc[3:]
    with pytest.raises(ValidationError) as excinfo:
        run.publish()
    assert (excinfo.value.status, excinfo.value.code) == (400, "missing_rows")
    assert "predictions" in excinfo.value.errors
    assert run.id is None
    assert run.flow.id is not None  # the flow was published before the run was refused


def test_publish_run_with_a_file_and_a_flow_id(runs, task, tmp_path, client):
    local = client.run_model_on_task(forest(), task, progress=False)
    flow = client.publish_flow(local.flow)
    path = tmp_path / "mine.csv"
    local.predictions.to_csv(path, index=False)
    run = client.publish_run(task.id, path, flow=flow.id, parameters={"clf__n_estimators": 5})
    fields, files = runs.uploads[-1]
    assert files["predictions"] == ("mine.csv", path.read_bytes())  # sent as it is
    assert json.loads(fields["parameters"][0]) == {"clf__n_estimators": 5}
    assert {"seed", "environment", "fold_timings", "team_id", "tags"}.isdisjoint(fields)
    assert isinstance(run.flow, FlowRef)
    assert run.predictions is None
    # its predictions are downloaded, checked and read when asked for
    downloaded = run.get_predictions(progress=False)
    assert downloaded["row_id"].tolist() == local.predictions["row_id"].tolist()
    assert downloaded["prediction"].tolist() == local.predictions["prediction"].tolist()
    # by configuration: the same configuration again
    again = client.publish_run(task, local.predictions, configuration=run.configuration_id)
    assert runs.uploads[-1][0]["configuration"] == [str(run.configuration_id)]
    assert again.configuration_id == run.configuration_id


def test_publish_run_needs_one_of_flow_and_configuration(client):
    frame = pd.DataFrame({"repeat": [0], "fold": [0], "row_id": [0], "prediction": ["yes"]})
    with pytest.raises(ValueError, match="either"):
        client.publish_run(1, frame)
    with pytest.raises(ValueError, match="either"):
        client.publish_run(1, frame, flow=1, configuration=2)
    with pytest.raises(ValueError, match="parameters"):
        client.publish_run(1, frame, configuration=2, parameters={"a": 1})
    with pytest.raises(ValueError, match="plain JSON"):
        client.publish_run(1, frame, flow=1, parameters={"a": float("nan")})
    with pytest.raises(TypeError, match="predictions"):
        client.publish_run(1, [1, 2], flow=1)


# -- reading ---------------------------------------------------------------------------------------


def test_get_run_reads_the_servers_json(runs, task, client):
    published = client.run_model_on_task(forest(), task, progress=False).publish(team=3)
    runs.script[published.id] = [scored()]
    run = client.get_run(published.id)
    assert run.flow == FlowRef(
        published.flow.id, published.flow.name, 1, published.flow.external_version
    )
    assert run.parameters == published.parameters
    assert (run.status, run.origin, run.uploader.username, run.team.name) == (
        "done",
        "uploaded",
        "ada",
        "Lab",
    )
    assert run.evaluations["predictive_accuracy"] == 0.75
    assert run.predictions_file.url == f"/api/v1/runs/{run.id}/predictions/"
    assert run.get_task().id == task.id
    assert run.evaluate().mean == published.evaluate().mean  # downloads the predictions


def test_list_runs_frame_and_filters(server, runs, task, client):
    first = client.run_model_on_task(forest(), task, progress=False).publish()
    client.run_model_on_task(forest(), task, seed=1, progress=False).publish()
    runs.script[first.id] = [scored()]
    client.get_run(first.id)
    frame = client.list_runs(task=task, flow=first.flow)
    assert frame["id"].tolist() == [2, 1]  # newest first
    row = frame.set_index("id").loc[1]
    assert (row["task_id"], row["dataset_name"], row["flow_id"], row["status"]) == (
        task.id,
        "toy",
        first.flow.id,
        "done",
    )
    assert (row["evaluation_measure"], row["value"], row["uploader"]) == (
        "predictive_accuracy",
        0.75,
        "ada",
    )
    assert pd.isna(frame.set_index("id").loc[2, "value"])
    sent = [r for r in server.requests if r.path == "/api/v1/runs/"][-1].query
    assert sent == {"task": [str(task.id)], "flow": [str(first.flow.id)]}
    assert client.list_runs(status="failed").empty


def evaluation(run, configuration, measure="predictive_accuracy", value=0.8):
    return {
        "run": run,
        "task": 1,
        "flow": 3,
        "flow_name": "sklearn.tree._classes.DecisionTreeClassifier",
        "configuration": configuration,
        "uploader": {"id": 1, "username": "ada"},
        "team": None,
        "measure": measure,
        "value": value,
        "std": 0.01,
        "created_at": "2026-12-03T11:00:00Z",
    }


def test_list_evaluations_with_parameters_reads_each_configuration_once(server, runs, client):
    for configuration_id, parameters in (
        (11, {"max_depth": 3, "value": 1}),
        (12, {"max_depth": None}),
    ):
        runs.configurations[configuration_id] = {
            "id": configuration_id,
            "url": f"/api/v1/configurations/{configuration_id}/",
            "flow": {"id": 3, "name": "tree", "version": 1, "external_version": "sklearn==1.5"},
            "parameters": parameters,
            "hash": "0" * 64,
            "created_at": "2026-12-03T10:00:00Z",
        }
    runs.evaluations = [
        evaluation(1, 11),
        evaluation(2, 12, value=0.7),
        evaluation(3, 11, value=0.9),
    ]
    plain = client.list_evaluations(task=1, measure="predictive_accuracy")
    assert list(plain.columns) == [
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
    ]
    assert plain["value"].tolist() == [0.8, 0.7, 0.9]
    assert plain["uploader"].tolist() == ["ada"] * 3
    sent = next(r for r in server.requests if r.path == "/api/v1/evaluations/").query
    assert sent == {"task": ["1"], "measure": ["predictive_accuracy"]}

    frame = client.list_evaluations(task=1, with_parameters=True)
    assert list(frame.columns)[-2:] == ["max_depth", "parameters.value"]
    assert frame["max_depth"].tolist() == [3, None, 3]
    assert frame["parameters.value"].tolist() == [1, None, 1]
    fetched = [r.path for r in server.requests if r.path.startswith("/api/v1/configurations/")]
    assert fetched == ["/api/v1/configurations/11/", "/api/v1/configurations/12/"]


def test_get_leaderboard_and_measures(server, client):
    board = {
        "measure": "predictive_accuracy",
        "higher_is_better": True,
        "by": "team",
        "entries": [
            {
                "rank": 1,
                "person": None,
                "team": {"id": 3, "slug": "lab", "name": "Lab"},
                "run": 7,
                "flow": {"id": 3, "name": "tree", "version": 1},
                "configuration": 11,
                "value": 0.9,
                "std": None,
                "created_at": "2026-12-03T11:00:00Z",
                "runs": 4,
            }
        ],
    }
    server.respond("GET", "/api/v1/tasks/1/leaderboard/", 200, board)
    frame = client.get_leaderboard(1, by="team", measure="predictive_accuracy")
    assert np.isnan(frame["std"][0])
    # an entry without `verified` and `seeds` (an older server): unverified, no interval
    seeds = ["seeds_n", "seeds_mean", "seeds_std", "seeds_low", "seeds_high"]
    assert not frame["verified"][0]
    assert frame[seeds].isna().all(axis=None)
    assert frame.drop(columns=["std", "verified", *seeds]).to_dict("records") == [
        {
            "rank": 1,
            "person": None,
            "team": "Lab",
            "run": 7,
            "flow_id": 3,
            "flow_name": "tree",
            "flow_version": 1,
            "configuration": 11,
            "value": 0.9,
            "runs": 4,
            "created_at": "2026-12-03T11:00:00Z",
        }
    ]
    assert frame.attrs == {"measure": "predictive_accuracy", "higher_is_better": True, "by": "team"}
    sent = [r for r in server.requests if r.path == "/api/v1/tasks/1/leaderboard/"][-1].query
    assert sent == {"by": ["team"], "measure": ["predictive_accuracy"]}
    with pytest.raises(ValueError, match="by must be"):
        client.get_leaderboard(1, by="country")

    measures = [
        {
            "name": m.name,
            "task_type": m.task_type,
            "higher_is_better": m.higher_is_better,
            "needs_probabilities": m.needs_probabilities,
            "description": m.description,
        }
        for m in engine.MEASURES.values()
        if m.task_type == 1
    ]
    server.respond("GET", "/api/v1/measures/", 200, measures)
    frame = client.list_measures("classification")
    assert frame["name"].tolist() == list(engine.CLASSIFICATION_MEASURES)
    assert [r for r in server.requests if r.path == "/api/v1/measures/"][-1].query == {
        "task_type": ["1"]
    }


def test_module_functions_use_the_default_connection(server, api_key, runs, make_task):
    tunebench.connect(server.url, api_key=api_key)
    client = tunebench.client.default_client()
    task = make_task(client, target="class")
    run = tunebench.run_model_on_task(forest(), task.id, progress=False)
    run.publish()
    runs.script[run.id] = [scored()]
    assert tunebench.wait_for_run(run.id, progress=False).status == "done"
    assert tunebench.get_run(run.id).evaluations["predictive_accuracy"] == 0.75
    assert tunebench.list_runs(task=task.id)["id"].tolist() == [run.id]
    again = tunebench.publish_run(task, run.predictions, configuration=run.configuration_id)
    assert again.id == 2
    runs.evaluations = [evaluation(run.id, run.configuration_id)]
    frame = tunebench.list_evaluations(task=task.id, with_parameters=True)
    assert frame["clf__n_estimators"].tolist() == [5]
    assert tunebench.get_configuration(run.configuration_id).parameters == run.parameters


# -- the command line ------------------------------------------------------------------------------


def test_cli_runs_upload_with_wait_list_and_show(server, api_key, runs, task, tmp_path, capsys):
    local = task.client.run_model_on_task(forest(), task, progress=False)
    flow = task.client.publish_flow(local.flow)
    path = tmp_path / "predictions.csv"
    local.predictions.to_csv(path, index=False)
    runs.script[1] = [{"status": "running"}, scored()]
    base = ["--url", server.url, "--api-key", api_key, "runs"]
    argv = [*base, "upload", str(path), "--task", str(task.id), "--flow", str(flow.id)]
    argv += ["--parameters", '{"clf__n_estimators": 5}', "--tag", "cli", "--seed", "0", "--wait"]
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == (
        f"Uploaded run 1 (task {task.id}, flow {flow.id}): queued.\n"
        "Run 1 is done: predictive_accuracy 0.7500.\n"
    )
    fields, _ = runs.uploads[-1]
    assert (fields["tags"], fields["seed"]) == (["cli"], ["0"])

    assert cli.main([*base, "list", "--task", str(task.id)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["ID", "TASK", "FLOW", "STATUS", "MEASURE", "VALUE", "UPLOADER"]
    assert out[1].split()[:3] == ["1", str(task.id), str(flow.id)]
    assert "Pipeline(ct=ColumnTransformer(num=StandardScaler" in out[1]
    assert out[1].split()[-3:] == ["predictive_accuracy", "0.7500", "ada"]

    assert cli.main([*base, "show", "1"]) == 0
    shown = capsys.readouterr().out
    assert f"task:          {task.id} (toy, target class)\n" in shown
    assert "status:        done\n" in shown
    assert "predictive_accuracy  0.7500  0.0500\n" in shown


def test_cli_runs_show_prints_the_error_of_a_failed_run(server, api_key, runs, task, capsys):
    task.client.run_model_on_task(forest(), task, progress=False).publish()
    runs.script[1] = [{"status": "failed", "error": {"code": "missing_rows", "message": "No."}}]
    assert cli.main(["--url", server.url, "--api-key", api_key, "runs", "show", "1"]) == 0
    assert "error:         missing_rows: No.\n" in capsys.readouterr().out


def test_cli_runs_upload_refuses_parameters_that_are_not_a_json_object(capsys):
    argv = ["runs", "upload", "p.csv", "--task", "1", "--flow", "2", "--parameters", "[1]"]
    with pytest.raises(SystemExit) as excinfo:
        cli.main(argv)
    assert excinfo.value.code == 2
    assert "must be a JSON object" in capsys.readouterr().err


def test_cli_runs_list_without_runs(server, api_key, runs, capsys):
    assert cli.main(["--url", server.url, "--api-key", api_key, "runs", "list"]) == 0
    assert capsys.readouterr().out == "No runs.\n"
