"""``/api/v1/datasets/``: upload, ingestion, listing, visibility, edits, downloads."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.services import create_api_key
from datasets import storage
from datasets.models import Dataset, DatasetFile, Feature, Quality
from tests.datasets.conftest import CORPUS, IRIS_HEAD, bytes_of, csv_file, upload
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _, raw = create_api_key(user=user, name="t")
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def post_upload(client, *, file=None, **fields):
    data = {"name": "iris", "default_target_attribute": "species", **fields}
    data["file"] = file if file is not None else csv_file()
    return client.post("/api/v1/datasets/", data, format="multipart")


# --- upload and ingestion --------------------------------------------------------------


def test_upload_is_accepted_then_ingested_into_features_qualities_and_files(
    auth_client, user, ingest
):
    response = ingest(post_upload, auth_client, tags="flowers,demo", description="# Iris")
    assert response.status_code == 202
    body = response.json()
    assert (body["name"], body["version"], body["status"], body["format"]) == (
        "iris",
        1,
        "processing",
        "csv",
    )
    assert body["tags"] == ["demo", "flowers"]
    assert body["uploader"] == {"id": user.pk, "username": user.username}

    dataset = Dataset.objects.get(pk=body["id"])
    assert dataset.status == "active"
    features = {f.name: f for f in Feature.objects.filter(dataset=dataset)}
    assert features["species"].data_type == "nominal"
    assert features["species"].is_target
    assert features["species"].nominal_values == ["setosa", "versicolor", "virginica"]
    assert features["sepal_width"].data_type == "numeric"
    assert features["sepal_width"].missing_count == 1
    qualities = dict(Quality.objects.filter(dataset=dataset).values_list("name", "value"))
    assert qualities["NumberOfInstances"] == 6
    assert qualities["NumberOfFeatures"] == 5
    assert qualities["NumberOfClasses"] == 3
    assert qualities["NumberOfMissingValues"] == 1
    kinds = set(DatasetFile.objects.filter(dataset=dataset).values_list("kind", flat=True))
    assert kinds == {"original", "parquet", "csv", "arff"}

    detail = auth_client.get(f"/api/v1/datasets/{dataset.pk}/").json()
    assert detail["status"] == "active"
    assert detail["qualities"]["NumberOfClasses"] == 3
    original = DatasetFile.objects.get(dataset=dataset, kind="original")
    assert original.sha256 == hashlib.sha256(IRIS_HEAD.encode()).hexdigest()
    assert detail["files"]["original"]["url"] is None
    assert detail["files"]["parquet"]["url"] == f"/api/v1/datasets/{dataset.pk}/download/parquet/"


@pytest.mark.parametrize("kind", ["parquet", "csv", "arff"])
def test_downloads_stream_the_stored_bytes_with_their_checksum(auth_client, user, ingest, kind):
    dataset = ingest(upload, user)
    response = auth_client.get(f"/api/v1/datasets/{dataset.pk}/download/{kind}/")
    assert response.status_code == 200
    content = bytes_of(response)
    stored = DatasetFile.objects.get(dataset=dataset, kind=kind)
    assert hashlib.sha256(content).hexdigest() == stored.sha256 == response["X-Checksum-SHA256"]
    assert response["ETag"] == f'"{stored.sha256}"'
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="iris-v1.{kind}"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_same_name_in_any_case_makes_the_next_version(auth_client, ingest):
    first = ingest(post_upload, auth_client).json()
    second = ingest(post_upload, auth_client, name="IRIS").json()
    assert (first["version"], second["version"]) == (1, 2)
    versions = auth_client.get(f"/api/v1/datasets/{first['id']}/versions/").json()
    assert [v["version"] for v in versions["results"]] == [1, 2]


def test_ingesting_twice_leaves_one_set_of_rows_and_the_same_files(user, ingest):
    from datasets.services import ingest_dataset

    dataset = ingest(upload, user)
    before = {f.kind: f.sha256 for f in dataset.files.all()}
    features_before = list(Feature.objects.filter(dataset=dataset).values_list("name", "data_type"))
    # A duplicate delivery of the finished attempt is a no-op ...
    ingest_dataset(dataset_id=dataset.pk, attempt=dataset.attempt)
    # ... and running the attempt again from scratch gives the same result.
    Dataset.objects.filter(pk=dataset.pk).update(status="processing")
    ingest_dataset(dataset_id=dataset.pk, attempt=dataset.attempt)
    dataset.refresh_from_db()
    assert dataset.status == "active"
    assert {f.kind: f.sha256 for f in dataset.files.all()} == before
    assert list(Feature.objects.filter(dataset=dataset).values_list("name", "data_type")) == (
        features_before
    )
    assert Quality.objects.filter(dataset=dataset, name="NumberOfInstances").count() == 1


def test_a_stale_attempt_changes_nothing(user, ingest):
    from datasets.services import ingest_dataset

    dataset = upload(user)  # not ingested: on_commit never ran
    Dataset.objects.filter(pk=dataset.pk).update(attempt=2)
    ingest_dataset(dataset_id=dataset.pk, attempt=1)
    dataset.refresh_from_db()
    assert (dataset.status, dataset.features.count()) == ("processing", 0)


# --- bad input ---------------------------------------------------------------------------


def _bad_corpus():
    expected = json.loads((CORPUS / "bad" / "expected.json").read_text())
    return sorted(expected.items())


@pytest.mark.parametrize(("filename", "code"), _bad_corpus())
def test_every_bad_corpus_file_is_refused_with_its_code(
    auth_client, ingest, settings, filename, code
):
    file = SimpleUploadedFile(filename, (CORPUS / "bad" / filename).read_bytes())
    response = ingest(post_upload, auth_client, file=file, name="bad", default_target_attribute="")
    if response.status_code == 400:
        assert response.json()["code"] == code
        assert response.json()["errors"]["file"][0]["code"] == code
        assert not Dataset.objects.exists()
        assert not any((Path(settings.MEDIA_ROOT) / "datasets").glob("*/*"))
    else:
        assert response.status_code == 202, response.json()
        dataset = Dataset.objects.get()
        assert (dataset.status, dataset.error_code) == ("error", code)
        assert dataset.error_message
        detail = auth_client.get(f"/api/v1/datasets/{dataset.pk}/").json()
        assert detail["error"]["code"] == code
        # Only the upload as sent is kept; no derived file exists without its row.
        assert [p.name for p in storage.dataset_dir(dataset.pk).iterdir()] == ["original"]
    staged = list(storage.staging_dir().iterdir())
    assert staged == []


def test_a_declared_column_that_does_not_exist_is_400_and_stores_nothing(auth_client):
    response = post_upload(auth_client, default_target_attribute="class")
    assert response.status_code == 400
    assert response.json()["errors"]["default_target_attribute"][0]["code"] == "unknown_column"
    response = post_upload(auth_client, row_id_attribute="id")
    assert response.json()["errors"]["row_id_attribute"][0]["code"] == "unknown_column"
    assert not Dataset.objects.exists()
    assert list(storage.staging_dir().iterdir()) == []


def test_a_wrong_checksum_is_400(auth_client):
    response = post_upload(auth_client, sha256_checksum="0" * 64)
    assert response.status_code == 400
    assert response.json()["code"] == "checksum_mismatch"
    assert not Dataset.objects.exists()


def test_an_upload_over_the_announced_cap_is_413_before_storing(auth_client, settings):
    settings.TUNEBENCH_MAX_UPLOAD_BYTES = 10
    big = "a,b\n" + "1,2\n" * 400_000  # larger than the cap plus the multipart envelope
    response = post_upload(auth_client, file=csv_file(big), default_target_attribute="")
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not Dataset.objects.exists()


def test_an_upload_over_the_cap_without_announcing_it_is_413(auth_client, settings):
    settings.TUNEBENCH_MAX_UPLOAD_BYTES = 10  # the body is under the envelope: the handler stops it
    response = post_upload(auth_client)
    assert response.status_code == 413
    assert not Dataset.objects.exists()


def test_anonymous_cannot_upload(api_client):
    response = post_upload(api_client)
    assert response.status_code == 401
    assert not Dataset.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"name": ""}, "name", "blank"),
        ({"name": "x" * 129}, "name", "max_length"),
        ({"visibility": "secret"}, "visibility", "invalid_choice"),
        ({"flavour": "x"}, "flavour", "unknown_field"),
        ({"paper_url": "javascript:alert(1)"}, "paper_url", "invalid"),
        ({"visibility": "team"}, "team_id", "invalid_visibility"),
        ({"team_id": 999999, "visibility": "team"}, "team_id", "invalid"),
    ],
)
def test_bad_metadata_names_the_field(auth_client, fields, field, code):
    response = post_upload(auth_client, **fields)
    assert response.status_code == 400
    assert response.json()["errors"][field][0]["code"] == code
    assert not Dataset.objects.exists()


def test_sharing_with_a_team_you_are_not_in_is_403(auth_client):
    team = make_team(owner=UserFactory(), name="Others")
    response = post_upload(auth_client, visibility="team", team_id=team.pk)
    assert response.status_code == 403
    assert response.json()["code"] == "not_team_member"
    assert not Dataset.objects.exists()


# --- visibility --------------------------------------------------------------------------


@pytest.fixture
def world(ingest):
    owner, teammate, stranger = UserFactory(), UserFactory(), UserFactory()
    moderator = UserFactory(is_staff=True)
    team = make_team(owner=owner, name="Lab", members=(teammate,))
    public = ingest(upload, owner, name="open")
    private = ingest(upload, owner, name="secret", visibility="private")
    shared = ingest(upload, owner, name="shared", visibility="team", team=team)
    return {
        "owner": owner,
        "teammate": teammate,
        "stranger": stranger,
        "moderator": moderator,
        "anonymous": None,
        "public": public,
        "private": private,
        "shared": shared,
    }


SEES = {
    "owner": {"open", "secret", "shared"},
    "teammate": {"open", "shared"},
    "stranger": {"open"},
    "anonymous": {"open"},
    "moderator": {"open", "secret", "shared"},
}


@pytest.mark.parametrize("actor", SEES)
def test_visibility_is_the_same_in_lists_details_and_downloads(world, actor):
    client = client_for(world[actor])
    listed = client.get("/api/v1/datasets/").json()
    assert {d["name"] for d in listed["results"]} == SEES[actor]
    assert listed["count"] == len(SEES[actor])
    for key in ("public", "private", "shared"):
        dataset = world[key]
        expected = 200 if dataset.name in SEES[actor] else 404
        assert client.get(f"/api/v1/datasets/{dataset.pk}/").status_code == expected
        assert client.get(f"/api/v1/datasets/{dataset.pk}/features/").status_code == expected
        download = client.get(f"/api/v1/datasets/{dataset.pk}/download/csv/")
        assert download.status_code == expected
        if expected == 404:
            assert download.json()["code"] == "dataset_not_found"
    # A filter that names the hidden dataset finds nothing either.
    assert client.get("/api/v1/datasets/", {"name": "secret"}).json()["count"] == len(
        {"secret"} & SEES[actor]
    )


def test_list_queries_do_not_grow_with_rows(world, django_assert_max_num_queries, ingest):
    owner = world["owner"]
    for i in range(5):
        ingest(upload, owner, name=f"more-{i}")
    client = client_for(owner)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/datasets/")
    assert response.json()["count"] == 8


# --- filters -----------------------------------------------------------------------------


def test_filters_by_quality_ranges_tag_and_status(user, ingest):
    small = ingest(upload, user, name="small", tags=["x"])
    bigger_text = IRIS_HEAD + "".join("5.0,3.0,1.5,0.2,setosa\n" for _ in range(20))
    big = ingest(upload, user, name="big", text=bigger_text)
    client = client_for(user)

    def names(**params):
        return [d["name"] for d in client.get("/api/v1/datasets/", params).json()["results"]]

    assert names(NumberOfInstances="10..") == ["big"]
    assert names(NumberOfInstances="..10") == ["small"]
    assert names(NumberOfInstances="6") == ["small"]
    assert names(NumberOfClasses="3", tag="x") == ["small"]
    assert names(ordering="-NumberOfInstances") == ["big", "small"]
    assert names(ordering="name") == ["big", "small"]
    Dataset.objects.filter(pk=small.pk).update(status="deactivated")
    assert names() == ["big"]
    assert names(status="all") == ["small", "big"]
    assert names(status="deactivated") == ["small"]
    assert big.pk


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"NumberOfInstances": "abc"}, "NumberOfInstances"),
        ({"NumberOfInstances": ".."}, "NumberOfInstances"),
        ({"NumberOfInstances": "nan"}, "NumberOfInstances"),
        ({"status": "gone"}, "status"),
        ({"ordering": "password"}, "ordering"),
        ({"team": "1e99"}, "team"),
        ({"drop table": "1"}, "drop table"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(api_client, params, field):
    response = api_client.get("/api/v1/datasets/", params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


# --- edits and lifecycle -------------------------------------------------------------------


def test_owner_edits_metadata_and_others_cannot(world):
    dataset = world["public"]
    response = client_for(world["owner"]).patch(
        f"/api/v1/datasets/{dataset.pk}/", {"description": "New", "tags": ["a", "b"]}
    )
    assert response.status_code == 200
    assert (response.json()["description"], response.json()["tags"]) == ("New", ["a", "b"])
    response = client_for(world["stranger"]).patch(
        f"/api/v1/datasets/{dataset.pk}/", {"description": "Mine now"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "dataset_not_owned"
    dataset.refresh_from_db()
    assert dataset.description == "New"


def test_a_processed_version_is_frozen_and_a_new_version_carries_a_new_target(world, ingest):
    dataset = world["public"]
    before = {f.kind: f.sha256 for f in dataset.files.all()}
    client = client_for(world["owner"])
    response = client.patch(f"/api/v1/datasets/{dataset.pk}/", {"default_target_attribute": ""})
    assert response.status_code == 409
    assert response.json()["code"] == "dataset_version_frozen"

    response = ingest(
        client.post, f"/api/v1/datasets/{dataset.pk}/new-version/", {"default_target_attribute": ""}
    )
    assert response.status_code == 202
    derived = Dataset.objects.get(pk=response.json()["id"])
    assert (derived.name, derived.version, derived.status) == ("open", 2, "active")
    assert derived.default_target_attribute == ""
    assert Quality.objects.get(dataset=derived, name="NumberOfClasses").value in (0, None)
    assert derived.files.get(kind="original").sha256 == before["original"]
    # The first version is exactly as it was.
    dataset.refresh_from_db()
    assert (dataset.status, dataset.default_target_attribute) == ("active", "species")
    assert {f.kind: f.sha256 for f in dataset.files.all()} == before
    assert (
        client_for(world["stranger"])
        .post(f"/api/v1/datasets/{dataset.pk}/new-version/", {"default_target_attribute": ""})
        .status_code
        == 403
    )
    assert client.post(f"/api/v1/datasets/{dataset.pk}/new-version/", {}).status_code == 400


def test_a_failed_ingestion_can_be_corrected_in_place(user, ingest):
    text = "id,x,label\n1,0.5,a\n1,0.7,b\n2,0.1,a\n"  # the declared row id repeats
    dataset = ingest(
        upload,
        user,
        text=text,
        name="dupes",
        default_target_attribute="label",
        row_id_attribute="id",
    )
    assert (dataset.status, dataset.error_code) == ("error", "invalid_row_id")
    client = client_for(user)
    response = client.patch(f"/api/v1/datasets/{dataset.pk}/", {"row_id_attribute": "nope"})
    assert response.status_code == 400
    assert response.json()["errors"]["row_id_attribute"][0]["code"] == "unknown_column"
    response = ingest(client.patch, f"/api/v1/datasets/{dataset.pk}/", {"row_id_attribute": ""})
    assert response.status_code == 200
    dataset.refresh_from_db()
    assert (dataset.status, dataset.attempt, dataset.row_id_attribute) == ("active", 2, "")


def test_deactivate_and_reactivate(world):
    dataset = world["public"]
    client = client_for(world["owner"])
    assert client.post(f"/api/v1/datasets/{dataset.pk}/deactivate/").json()["status"] == (
        "deactivated"
    )
    assert client.post(f"/api/v1/datasets/{dataset.pk}/deactivate/").status_code == 409
    # Still downloadable: runs made on it must stay reproducible.
    assert client.get(f"/api/v1/datasets/{dataset.pk}/download/parquet/").status_code == 200
    assert client.post(f"/api/v1/datasets/{dataset.pk}/reactivate/").json()["status"] == "active"
    stranger = client_for(world["stranger"])
    assert stranger.post(f"/api/v1/datasets/{dataset.pk}/deactivate/").status_code == 403


def test_moderators_may_deactivate_anything(world):
    dataset = world["private"]
    response = client_for(world["moderator"]).post(f"/api/v1/datasets/{dataset.pk}/deactivate/")
    assert response.status_code == 200


def test_delete_removes_rows_and_files(world, django_capture_on_commit_callbacks):
    dataset = world["public"]
    folder = storage.dataset_dir(dataset.pk)
    assert folder.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world["owner"]).delete(f"/api/v1/datasets/{dataset.pk}/")
    assert response.status_code == 204
    assert not Dataset.objects.filter(pk=dataset.pk).exists()
    assert not Feature.objects.filter(dataset_id=dataset.pk).exists()
    assert not folder.exists()


# --- sweeper -----------------------------------------------------------------------------


def test_stuck_ingestion_is_requeued_then_failed(
    user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from datasets.services import requeue_stuck_datasets

    sent = []
    monkeypatch.setattr("datasets.jobs.ingest_dataset_job.delay", lambda *args: sent.append(args))
    dataset = upload(user)
    old = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    Dataset.objects.filter(pk=dataset.pk).update(updated_at=old)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stuck_datasets(max_attempts=2) == 1
    dataset.refresh_from_db()
    assert dataset.attempt == 2
    assert sent == [(dataset.pk, 2)]
    Dataset.objects.filter(pk=dataset.pk).update(updated_at=old)
    assert requeue_stuck_datasets(max_attempts=2) == 0
    dataset.refresh_from_db()
    assert (dataset.status, dataset.error_code) == ("error", "ingestion_stalled")


# --- review follow-ups ---------------------------------------------------------------------


def test_stored_files_are_never_served_as_media(world, client):
    dataset = world["private"]
    assert storage.file_path(dataset.pk, "original").exists()
    assert client.get(f"/media/datasets/{dataset.pk}/original").status_code == 404


def test_a_team_with_datasets_cannot_be_deleted(world):
    team = world["shared"].team
    response = client_for(world["owner"]).delete(f"/api/v1/teams/{team.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "team_has_data"
    assert Dataset.objects.filter(pk=world["shared"].pk).exists()


def test_too_many_files_in_one_upload_is_400_not_500(auth_client):
    data = {"name": "x", "file": csv_file()}
    for i in range(6):
        data[f"extra{i}"] = csv_file(name=f"{i}.csv")
    response = auth_client.post("/api/v1/datasets/", data, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"
    assert not Dataset.objects.exists()


def test_a_writer_failure_fails_the_dataset_and_leaves_no_derived_file(user, ingest, monkeypatch):
    from tunebench import engine

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(engine, "write_arff", broken)
    dataset = ingest(upload, user)
    assert (dataset.status, dataset.error_code) == ("error", "internal_error")
    assert [p.name for p in storage.dataset_dir(dataset.pk).iterdir()] == ["original"]
    assert not dataset.files.exclude(kind="original").exists()


def test_a_dataset_being_processed_cannot_be_deleted(user):
    dataset = upload(user)  # still processing: its job runs after commit
    response = client_for(user).delete(f"/api/v1/datasets/{dataset.pk}/")
    assert response.status_code == 409
    assert Dataset.objects.filter(pk=dataset.pk).exists()


def test_a_file_that_keeps_killing_the_worker_fails_after_the_delivery_cap(user):
    from datasets.services import MAX_DELIVERIES, ingest_dataset

    dataset = upload(user)
    Dataset.objects.filter(pk=dataset.pk).update(deliveries=MAX_DELIVERIES)
    ingest_dataset(dataset_id=dataset.pk, attempt=dataset.attempt)
    dataset.refresh_from_db()
    assert (dataset.status, dataset.error_code) == ("error", "ingestion_crashed")


def test_private_versions_never_take_a_public_version_number(world, ingest):
    # "secret" exists privately; a stranger's public "Secret" starts its own sequence.
    response = ingest(post_upload, client_for(world["stranger"]), name="Secret")
    assert response.json()["version"] == 1
    owner_versions = (
        client_for(world["owner"]).get(f"/api/v1/datasets/{world['private'].pk}/versions/").json()
    )
    assert [(v["name"], v["version"]) for v in owner_versions["results"]] == [("secret", 1)]


def test_a_name_too_long_once_lower_cased_is_400(auth_client):
    response = post_upload(auth_client, name="\u0130" * 128)
    assert response.status_code == 400
    assert response.json()["errors"]["name"][0]["code"] == "invalid_name"
    assert not Dataset.objects.exists()


def test_stale_staging_files_are_removed_by_the_sweeper(user):
    import os
    import time

    from datasets.services import remove_stale_files

    stale = storage.staging_dir() / "old.upload"
    stale.write_bytes(b"x")
    old = time.time() - 3 * 86400
    os.utime(stale, (old, old))
    fresh = storage.staging_dir() / "new.upload"
    fresh.write_bytes(b"y")
    assert remove_stale_files() == 1
    assert not stale.exists()
    assert fresh.exists()
