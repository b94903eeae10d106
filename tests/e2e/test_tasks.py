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
