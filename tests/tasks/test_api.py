"""``/api/v1/tasks/``: defining tasks, their splits (generated once by a job), visibility."""

from __future__ import annotations

import hashlib
import io

import pyarrow.parquet as pq
import pytest
from rest_framework.test import APIClient

from accounts.services import create_api_key
from datasets.models import Dataset
from tasks.models import EstimationProcedure, Task, TaskSplitsFile
from tests.datasets.conftest import bytes_of, upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FLOWERS = "width,height,rare,kind\n" + "".join(
    f"{(i * 7) % 13 + 0.5},{(i * 5) % 11},{'x' if i < 3 else 'y'},{['a', 'b', 'c'][i % 3]}\n"
    for i in range(30)
)


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _, raw = create_api_key(user=user, name="t")
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.fixture
def flowers(user, ingest):
    return ingest(upload, user, text=FLOWERS, name="flowers", default_target_attribute="kind")


def define(client, dataset, **fields):
    body = {
        "dataset_id": dataset.pk,
        "task_type": "classification",
        "target": "kind",
        "estimation_procedure": 1,
        **fields,
    }
    return client.post("/api/v1/tasks/", body)


def test_a_task_is_created_once_and_its_splits_stored_by_the_job(user, flowers, ingest):
    client = client_for(user)
    response = ingest(define, client, flowers, seed=7)
    assert response.status_code == 201
    body = response.json()
    task = Task.objects.get(pk=body["id"])
    assert task.status == "active"
    assert (body["task_type"], body["task_type_id"], body["target"], body["seed"]) == (
        "classification",
        1,
        "kind",
        7,
    )
    assert body["class_labels"] == ["a", "b", "c"]
    assert body["evaluation_measure"] == "predictive_accuracy"
    assert body["estimation_procedure"]["name"] == "10-fold Crossvalidation"

    again = define(client, flowers, seed=7)
    assert again.status_code == 200
    assert again.json()["id"] == task.pk
    assert Task.objects.count() == 1

    detail = client.get(f"/api/v1/tasks/{task.pk}/").json()
    assert set(detail["splits"]) == {"parquet", "csv", "arff"}
    download = client.get(detail["splits"]["parquet"]["url"])
    content = bytes_of(download)
    assert hashlib.sha256(content).hexdigest() == detail["splits"]["parquet"]["sha256"]
    table = pq.read_table(io.BytesIO(content))
    assert table.num_rows == 30 * 10  # each row: once in a test fold, nine times in training
    kinds = table.column("type").to_pylist()
    assert kinds.count("TEST") == 30
    arff = bytes_of(client.get(detail["splits"]["arff"]["url"])).decode()
    assert arff.lstrip().upper().startswith(f"@RELATION TASK_{task.pk}_SPLITS")


def test_splits_are_a_pure_function_the_client_reproduces_bit_for_bit(
    user, flowers, ingest, tmp_path
):
    from tunebench import engine

    task = Task.objects.get(pk=ingest(define, client_for(user), flowers, seed=3).json()["id"])
    stored = TaskSplitsFile.objects.get(task=task, kind="parquet")
    labels = [line.split(",")[-1] for line in FLOWERS.strip().splitlines()[1:]]
    splits = engine.generate_splits(30, engine.PROCEDURES[1], seed=3, target=labels)
    again = engine.write_splits_parquet(splits, tmp_path / "s.parquet")
    assert again.sha256 == stored.sha256


def test_a_delivered_twice_splits_job_changes_nothing(user, flowers, ingest):
    from tasks.services import generate_task_splits

    task = Task.objects.get(pk=ingest(define, client_for(user), flowers).json()["id"])
    before = list(TaskSplitsFile.objects.filter(task=task).values_list("kind", "sha256"))
    generate_task_splits(task_id=task.pk, attempt=task.attempt)
    assert list(TaskSplitsFile.objects.filter(task=task).values_list("kind", "sha256")) == before


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"target": "nope"}, "target", "unknown_target"),
        ({"target": "width"}, "target", "invalid_target"),
        ({"task_type": "regression", "estimation_procedure": 7}, "target", "invalid_target"),
        ({"estimation_procedure": 7}, "estimation_procedure", "procedure_task_type_mismatch"),
        ({"estimation_procedure": 999}, "estimation_procedure", "unknown_procedure"),
        ({"target": "rare"}, "estimation_procedure", "too_many_folds"),  # 3 x-rows, 10 folds
        (
            {"evaluation_measure": "root_mean_squared_error"},
            "evaluation_measure",
            "unknown_measure",
        ),
        ({"task_type": "clustering"}, "task_type", "invalid"),
        ({"seed": -1}, "seed", "min_value"),
        ({"dataset_id": 999999}, "dataset_id", "unknown_dataset"),
        ({"splits": "mine"}, "splits", "unknown_field"),
    ],
)
def test_bad_definitions_name_the_field_and_create_nothing(user, flowers, fields, field, code):
    response = define(client_for(user), flowers, **fields)
    assert response.status_code == 400, response.json()
    assert response.json()["errors"][field][0]["code"] == code
    assert not Task.objects.exists()


def test_a_task_needs_an_active_dataset(user, flowers):
    Dataset.objects.filter(pk=flowers.pk).update(status="deactivated")
    response = define(client_for(user), flowers)
    assert response.json()["errors"]["dataset_id"][0]["code"] == "dataset_not_active"
    assert not Task.objects.exists()


def test_tasks_follow_their_datasets_visibility(user, ingest):
    private = ingest(
        upload,
        user,
        text=FLOWERS,
        name="hidden",
        default_target_attribute="kind",
        visibility="private",
    )
    task = Task.objects.get(pk=ingest(define, client_for(user), private).json()["id"])
    stranger = client_for(UserFactory())
    assert stranger.get("/api/v1/tasks/").json()["count"] == 0
    assert stranger.get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    assert stranger.get(f"/api/v1/tasks/{task.pk}/splits/parquet/").status_code == 404
    response = define(stranger, private)
    assert response.json()["errors"]["dataset_id"][0]["code"] == "unknown_dataset"
    assert client_for(user).get("/api/v1/tasks/").json()["count"] == 1


def test_a_dataset_with_a_task_cannot_be_deleted(user, flowers, ingest):
    ingest(define, client_for(user), flowers)
    response = client_for(user).delete(f"/api/v1/datasets/{flowers.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "dataset_in_use"


def test_anonymous_cannot_create_tasks(api_client, flowers):
    assert define(api_client, flowers).status_code == 401


def test_filters(user, flowers, ingest):
    client = client_for(user)
    ingest(define, client, flowers)
    ingest(define, client, flowers, seed=1)
    assert client.get("/api/v1/tasks/", {"dataset": flowers.pk}).json()["count"] == 2
    assert client.get("/api/v1/tasks/", {"task_type": "regression"}).json()["count"] == 0
    assert client.get("/api/v1/tasks/", {"estimation_procedure": 1}).json()["count"] == 2
    assert client.get("/api/v1/tasks/", {"target": "kind"}).json()["count"] == 2
    assert client.get("/api/v1/tasks/", {"dataset": "x"}).status_code == 400


def test_estimation_procedures_are_openml_s_and_the_engine_s():
    from tunebench import engine

    response = APIClient().get("/api/v1/estimation-procedures/")
    assert response.status_code == 200
    rows = response.json()
    assert [r["id"] for r in rows] == sorted(engine.PROCEDURES)
    for row in EstimationProcedure.objects.all():
        spec = engine.PROCEDURES[row.id]
        assert (row.task_type, row.kind, row.repeats, row.stratified) == (
            spec.task_type,
            spec.kind,
            spec.repeats,
            spec.stratified,
        )


def test_tasks_are_tagged_at_creation_and_filtered_by_tag(user, flowers, ingest):
    client = client_for(user)
    tagged = ingest(define, client, flowers, tags=["cc18", " demo "]).json()
    assert tagged["tags"] == ["cc18", "demo"]
    ingest(define, client, flowers, seed=2)
    listed = client.get("/api/v1/tasks/", {"tag": "cc18"}).json()
    assert [t["id"] for t in listed["results"]] == [tagged["id"]]
    # The same definition again returns the existing task, with its own tags.
    again = define(client, flowers, tags=["other"]).json()
    assert (again["id"], again["tags"]) == (tagged["id"], ["cc18", "demo"])
