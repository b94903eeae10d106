"""A task defined over HTTP gets its splits from a real worker, downloadable in three formats."""

import hashlib
import time

import pytest
import requests

pytestmark = pytest.mark.e2e

CSV = "x,y,label\n" + "".join(f"{i},{i % 7},{'abc'[i % 3]}\n" for i in range(90))


def wait_for(stack, path, headers, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = requests.get(f"{stack.url}{path}", headers=headers, timeout=30).json()
        if body["status"] != "processing":
            return body
        time.sleep(0.3)
    raise AssertionError(f"{path} still processing after {timeout} s")


def test_a_task_gets_its_splits_from_the_worker(live_stack):
    created = live_stack.manage("create_api_key", "e2e-tasks", "--create-user")
    headers = {"Authorization": f"Token {created.stdout.split()[-1]}"}
    uploaded = requests.post(
        f"{live_stack.url}/api/v1/datasets/",
        headers=headers,
        data={"name": "e2e-task-data", "default_target_attribute": "label"},
        files={"file": ("data.csv", CSV.encode())},
        timeout=60,
    ).json()
    assert wait_for(live_stack, f"/api/v1/datasets/{uploaded['id']}/", headers)["status"] == (
        "active"
    )
    response = requests.post(
        f"{live_stack.url}/api/v1/tasks/",
        headers=headers,
        json={
            "dataset_id": uploaded["id"],
            "task_type": "classification",
            "target": "label",
            "estimation_procedure": 2,
            "seed": 11,
        },
        timeout=60,
    )
    assert response.status_code == 201, response.text
    task = wait_for(live_stack, f"/api/v1/tasks/{response.json()['id']}/", headers)
    assert task["status"] == "active", task
    for kind in ("parquet", "csv", "arff"):
        download = requests.get(
            f"{live_stack.url}{task['splits'][kind]['url']}", headers=headers, timeout=60
        )
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == task["splits"][kind]["sha256"]


def test_the_client_defines_a_task_iterates_its_splits_and_scores_locally(
    live_stack, tmp_path, monkeypatch
):
    import pandas as pd

    import tunebench

    monkeypatch.setenv("TUNEBENCH_CACHE_DIR", str(tmp_path / "cache"))
    created = live_stack.manage("create_api_key", "e2e-task-client", "--create-user")
    client = tunebench.connect(url=live_stack.url, api_key=created.stdout.split()[-1])
    frame = pd.DataFrame(
        {"x": [i * 0.5 for i in range(60)], "label": pd.Categorical(["p", "q", "r"] * 20)}
    )
    dataset = client.upload_dataset(
        frame, name="e2e-task-client", default_target_attribute="label", wait=True, timeout=90
    )
    task = client.create_task(
        dataset.id,
        target="label",
        estimation_procedure=1,
        seed=5,
        tags=["e2e"],
        wait=True,
        timeout=90,
    )
    assert (task.status, task.tags, task.class_labels) == ("active", ["e2e"], ["p", "q", "r"])
    folds = list(task.iter_splits())
    assert len(folds) == 10
    tested = sorted(int(i) for _, _, _, test in folds for i in test)
    assert tested == list(range(60))  # every row tested exactly once
    _, y = task.get_X_and_y()
    rows = [
        {"repeat": r, "fold": f, "row_id": int(i), "prediction": y.iloc[int(i)]}
        for r, f, _, test in folds
        for i in test
    ]
    scores = task.evaluate(pd.DataFrame(rows))
    assert scores.mean["predictive_accuracy"] == 1.0
    assert client.list_tasks(tag="e2e")["id"].tolist() == [task.id]
