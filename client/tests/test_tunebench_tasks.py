"""Tasks: create (201 / 200), wait, splits (downloaded once, checksummed, cached), local evaluation.

Against the fake server in conftest.py. Dataset 20 is a real 40-row Parquet file registered on it
(a nominal `class` whose labels are `yes`, `no` in that order, a numeric `value`); the splits the
fake server serves are real too, made by the engine (`generate_splits` + `write_splits_parquet`).
"""

import hashlib
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tunebench
from tunebench import engine
from tunebench.datasets import ChecksumMismatch, cache_dir
from tunebench.tasks import EstimationProcedure, Task, TaskDatasetRef, TaskError

N_ROWS = 40
LABELS = ["yes", "no"]  # the dictionary order of the column below: first appearance


def _dataset_parquet(path):
    rng = np.random.default_rng(0)
    classes = ["no" if i % 3 == 1 else "yes" for i in range(N_ROWS)]  # 27 yes, 13 no
    table = pa.table(
        {
            "row_id": pa.array(range(1000, 1000 + N_ROWS), pa.int64()),
            "x1": pa.array(rng.normal(size=N_ROWS)),
            "x2": pa.array(["red", "blue"] * (N_ROWS // 2)).dictionary_encode(),
            "junk": pa.array([f"j{i}" for i in range(N_ROWS)]),
            "class": pa.array(classes).dictionary_encode(),
            "value": pa.array(np.arange(N_ROWS) * 0.5),
        }
    )
    pq.write_table(table, path)
    return path.read_bytes(), classes


@pytest.fixture
def data(server, iris, tmp_path):
    """Dataset 20 on the server, and the engine's splits for procedures 1 and 7 as bytes."""
    content, classes = _dataset_parquet(tmp_path / "data.parquet")
    server.datasets[20] = iris.dataset_json(
        20,
        name="toy",
        default_target_attribute="class",
        row_id_attribute="row_id",
        ignore_attributes=["junk"],
        files={"parquet": iris.file_json(20, "parquet", content)},
    )
    server.files[(20, "parquet")] = content
    splits, raw = {}, {}
    for procedure in (1, 7):
        splits[procedure] = engine.generate_splits(
            N_ROWS, engine.PROCEDURES[procedure], seed=0, target=pa.array(classes)
        )
        path = tmp_path / f"splits-{procedure}.parquet"
        engine.write_splits_parquet(splits[procedure], path)
        raw[procedure] = path.read_bytes()
    return type("Data", (), {"classes": classes, "splits": splits, "raw": raw})


def splits_file_json(task_id, content):
    sha256 = hashlib.sha256(content).hexdigest()
    md5 = hashlib.md5(content, usedforsecurity=False).hexdigest()
    url = f"/api/v1/tasks/{task_id}/splits/parquet/"
    return {"size": len(content), "md5": md5, "sha256": sha256, "url": url}


def activate(server, task_id, content):
    """Make the server's task `task_id` active with `content` as its Parquet splits."""
    server.task_files[(task_id, "parquet")] = content
    server.tasks[task_id].update(
        status="active", splits={"parquet": splits_file_json(task_id, content)}
    )


@pytest.fixture
def task(server, client, data):
    """Task 1: classification of `class` on dataset 20, 10-fold CV, active."""
    created = client.create_task(20, target="class")
    activate(server, created.id, data.raw[1])
    return client.get_task(created.id)


def downloads(server, task_id=1):
    return [r for r in server.requests if r.path == f"/api/v1/tasks/{task_id}/splits/parquet/"]


def perfect_predictions(task_obj, classes):
    rows = []
    for repeat, fold, _, test in task_obj.iter_splits():
        for row in test:
            label = classes[row]
            rows.append(
                {
                    "repeat": repeat,
                    "fold": fold,
                    "row_id": int(row),
                    "prediction": label,
                    **{f"confidence.{c}": float(c == label) for c in LABELS},
                }
            )
    return pd.DataFrame(rows)


# -- create, wait, get -----------------------------------------------------------------------------


def test_create_task_posts_the_definition_then_returns_the_existing_task(server, client, data):
    first = client.create_task(20, target="class", evaluation_measure="predictive_accuracy")
    post = [r for r in server.requests if (r.method, r.path) == ("POST", "/api/v1/tasks/")][-1]
    assert json.loads(post.body) == {
        "dataset_id": 20,
        "task_type": "classification",
        "target": "class",
        "estimation_procedure": 1,
        "seed": 0,
        "evaluation_measure": "predictive_accuracy",
    }
    assert isinstance(first, Task)
    assert (first.id, first.status, first.splits) == (1, "processing", {})
    assert first.dataset == TaskDatasetRef(20, "toy", 1)
    assert first.estimation_procedure == EstimationProcedure(
        1, "10-fold Crossvalidation", "classification", "crossvalidation", 1, 10, None, True
    )
    assert first.class_labels == LABELS
    assert (first.task_type, first.task_type_id) == ("classification", 1)
    assert first.client is client
    assert "client" not in repr(first)

    again = client.create_task(client.get_dataset(20), target="class")
    assert again == first  # 200: the same task, no second one
    assert list(server.tasks) == [1]
    other = client.create_task(20, target="value", task_type="regression", estimation_procedure=7)
    assert (other.id, other.task_type_id, other.class_labels) == (2, 2, None)


def test_create_task_wait_polls_until_active(server, client, data):
    server.task_files[(1, "parquet")] = data.raw[1]
    server.task_script[1] = [
        {"status": "processing"},
        {"status": "active", "splits": {"parquet": splits_file_json(1, data.raw[1])}},
    ]
    task = client.create_task(20, target="class", wait=True, progress=False)
    assert task.status == "active"
    assert task.splits["parquet"].url == "/api/v1/tasks/1/splits/parquet/"
    gets = [r for r in server.requests if (r.method, r.path) == ("GET", "/api/v1/tasks/1/")]
    assert len(gets) == 2


def test_create_task_wait_raises_the_servers_error_code(server, client, data):
    error = {"code": "too_few_rows", "message": "More folds than rows."}
    server.task_script[1] = [{"status": "error", "error": error}]
    with pytest.raises(TaskError) as excinfo:
        client.create_task(20, target="class", wait=True, progress=False)
    assert excinfo.value.code == "too_few_rows"
    assert excinfo.value.task.id == 1
    assert "task 1" in str(excinfo.value)


def test_splits_of_a_processing_task_raise_task_processing(server, client, data):
    task = client.create_task(20, target="class")
    with pytest.raises(TaskError) as excinfo:
        task.get_splits()
    assert excinfo.value.code == "task_processing"


def test_create_task_refuses_a_bad_task_type_before_sending(server, client):
    with pytest.raises(ValueError, match="task_type"):
        client.create_task(20, target="class", task_type="clustering")
    assert not server.requests


# -- data and splits -------------------------------------------------------------------------------


def test_get_x_and_y_drops_target_row_id_and_ignored_columns(task, data):
    X, y = task.get_X_and_y()
    assert list(X.columns) == ["x1", "x2", "value"]
    assert len(X) == N_ROWS
    assert isinstance(y.dtype, pd.CategoricalDtype)
    assert list(y.cat.categories) == LABELS
    assert y.tolist() == data.classes
    assert task.get_dataset().id == 20


def test_iter_splits_equals_the_engines_splits(task, data):
    ours = list(task.iter_splits())
    expected = list(data.splits[1].iter_folds())
    assert len(ours) == 10
    for (r, f, train, test), (er, ef, etrain, etest) in zip(ours, expected, strict=True):
        assert (r, f) == (er, ef)
        assert isinstance(train, np.ndarray)
        np.testing.assert_array_equal(train, etrain)
        np.testing.assert_array_equal(test, etest)
    assert task.get_splits() == data.splits[1]


def test_splits_are_downloaded_once_and_cached_by_checksum(server, client, task, data):
    task.get_splits()
    task.get_splits()
    client.get_task(task.id).get_splits()  # a new Task object: still the cache
    assert len(downloads(server)) == 1
    sha256 = task.splits["parquet"].sha256
    cached = cache_dir() / "splits" / f"{sha256}.parquet"
    assert cached.read_bytes() == data.raw[1]

    cached.write_bytes(b"damaged")  # a damaged copy is fetched again
    assert task.get_splits() == data.splits[1]
    assert len(downloads(server)) == 2
    assert cached.read_bytes() == data.raw[1]


def test_splits_with_a_wrong_checksum_are_discarded(server, client, task, data):
    server.task_files[(1, "parquet")] = data.raw[7]  # other bytes than the task lists
    with pytest.raises(ChecksumMismatch):
        task.get_splits()
    assert not list((cache_dir() / "splits").iterdir())


# -- evaluate --------------------------------------------------------------------------------------


def test_evaluate_perfect_predictions_scores_one(task, data, tmp_path):
    predictions = perfect_predictions(task, data.classes)
    scores = task.evaluate(predictions)
    assert scores.mean["predictive_accuracy"] == 1.0
    assert scores.std["predictive_accuracy"] == 0.0
    assert sorted(scores.per_fold) == [(0, f) for f in range(10)]
    # a pyarrow Table and a file give the same scores
    table = pa.Table.from_pandas(predictions, preserve_index=False)
    assert task.evaluate(table).mean == scores.mean
    path = tmp_path / "predictions.csv"
    predictions.sample(frac=1, random_state=0).to_csv(path, index=False)  # any row order
    assert task.evaluate(path).mean["predictive_accuracy"] == 1.0


def test_evaluate_counts_wrong_labels_against_the_dataset_target(task, data):
    predictions = perfect_predictions(task, data.classes)
    predictions["prediction"] = "yes"
    predictions = predictions.drop(columns=[f"confidence.{c}" for c in LABELS])
    scores = task.evaluate(predictions)
    expected = sum(c == "yes" for c in data.classes) / N_ROWS
    assert scores.mean["predictive_accuracy"] == pytest.approx(expected, abs=0.05)
    per_fold = np.mean([s["predictive_accuracy"] for s in scores.per_fold.values()])
    assert scores.mean["predictive_accuracy"] == pytest.approx(per_fold)


def test_evaluate_bad_predictions_raise_the_engines_error(task, data):
    predictions = perfect_predictions(task, data.classes)
    with pytest.raises(engine.PredictionsError) as excinfo:
        task.evaluate(predictions.iloc[5:])
    assert excinfo.value.code == "missing_rows"
    predictions.loc[0, "prediction"] = "maybe"
    with pytest.raises(engine.PredictionsError) as excinfo:
        task.evaluate(predictions)
    assert excinfo.value.code == "unknown_label"
    with pytest.raises(TypeError):
        task.evaluate([1, 2, 3])


def test_evaluate_regression(server, client, data):
    created = client.create_task(20, target="value", task_type="regression", estimation_procedure=7)
    activate(server, created.id, data.raw[7])
    task = client.get_task(created.id)
    _, y = task.get_X_and_y()
    assert y.dtype == np.float64
    rows = [
        {"repeat": r, "fold": f, "row_id": int(i), "prediction": float(y.iloc[i]) + 1.0}
        for r, f, _, test in task.iter_splits()
        for i in test
    ]
    scores = task.evaluate(pd.DataFrame(rows))
    assert scores.mean["root_mean_squared_error"] == pytest.approx(1.0)
    assert scores.mean["mean_absolute_error"] == pytest.approx(1.0)


# -- lists and module functions --------------------------------------------------------------------


def test_list_tasks_frame_and_filters(server, client, data):
    client.create_task(20, target="class")
    client.create_task(20, target="value", task_type="regression", estimation_procedure=7)
    activate(server, 1, data.raw[1])
    frame = client.list_tasks()  # active only, by default
    assert frame["id"].tolist() == [1]
    every = client.list_tasks(status="all", dataset=20)
    assert every["id"].tolist() == [1, 2]
    row = every.iloc[0]
    assert (row["dataset_id"], row["dataset_name"], row["target"]) == (20, "toy", "class")
    assert (row["estimation_procedure"], row["n_classes"], row["creator"]) == (1, 2, "ada")
    assert pd.isna(every.iloc[1]["n_classes"])
    sent = [r for r in server.requests if r.path == "/api/v1/tasks/"][-1].query
    assert sent == {"status": ["all"], "dataset": ["20"]}
    regression = client.list_tasks(status="all", task_type=2)
    assert regression["target"].tolist() == ["value"]
    assert client.list_tasks(status="all", dataset=99).empty
    assert list(client.list_tasks(dataset=99).columns)[:3] == ["id", "dataset_id", "dataset_name"]


def test_list_estimation_procedures(client):
    frame = client.list_estimation_procedures()
    assert {1, 7, 25} <= set(frame["id"])
    first = frame.set_index("id").loc[1]
    assert (first["kind"], first["folds"], first["stratified"]) == ("crossvalidation", 10, True)


def test_module_functions_use_the_default_connection(server, api_key, data):
    tunebench.connect(server.url, api_key=api_key)
    created = tunebench.create_task(20, target="class")
    activate(server, created.id, data.raw[1])
    task = tunebench.get_task(created.id)
    assert task.status == "active"
    assert tunebench.list_tasks()["id"].tolist() == [created.id]
    assert tunebench.wait_for_task(created.id, progress=False) == task
    assert len(tunebench.list_estimation_procedures("regression")) > 0
