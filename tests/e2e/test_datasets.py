"""A dataset uploaded over HTTP is ingested by a real worker and downloads intact."""

import hashlib
import time

import pytest
import requests

pytestmark = pytest.mark.e2e

CSV = "a,b,label\n" + "".join(f"{i},{i * 0.5},{'yes' if i % 3 else 'no'}\n" for i in range(200))


def wait_until_processed(stack, dataset_id, headers, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = requests.get(
            f"{stack.url}/api/v1/datasets/{dataset_id}/", headers=headers, timeout=30
        ).json()
        if body["status"] != "processing":
            return body
        time.sleep(0.3)
    raise AssertionError(f"dataset {dataset_id} still processing after {timeout} s")


def test_upload_is_ingested_by_the_worker_and_downloads_with_matching_checksums(live_stack):
    created = live_stack.manage("create_api_key", "e2e-data", "--create-user")
    headers = {"Authorization": f"Token {created.stdout.split()[-1]}"}
    response = requests.post(
        f"{live_stack.url}/api/v1/datasets/",
        headers=headers,
        data={"name": "e2e-table", "default_target_attribute": "label", "tags": "e2e"},
        files={"file": ("whatever.txt", CSV.encode())},
        timeout=60,
    )
    assert response.status_code == 202, response.text
    body = wait_until_processed(live_stack, response.json()["id"], headers)
    assert body["status"] == "active", body
    assert body["qualities"]["NumberOfInstances"] == 200
    assert body["qualities"]["NumberOfClasses"] == 2
    assert body["files"]["original"]["sha256"] == hashlib.sha256(CSV.encode()).hexdigest()
    for kind in ("parquet", "csv", "arff"):
        download = requests.get(
            f"{live_stack.url}{body['files'][kind]['url']}", headers=headers, timeout=60
        )
        assert download.status_code == 200
        digest = hashlib.sha256(download.content).hexdigest()
        assert digest == body["files"][kind]["sha256"] == download.headers["X-Checksum-SHA256"]


def test_a_file_that_is_not_a_table_ends_in_error_or_400_never_a_500(live_stack):
    created = live_stack.manage("create_api_key", "e2e-bad", "--create-user")
    headers = {"Authorization": f"Token {created.stdout.split()[-1]}"}
    response = requests.post(
        f"{live_stack.url}/api/v1/datasets/",
        headers=headers,
        data={"name": "ragged"},
        files={"file": ("ragged.csv", b"a,b\n1,2\n3,4,5\n6,7\n")},
        timeout=60,
    )
    if response.status_code == 400:
        assert response.json()["code"] == "ragged_rows"
        return
    assert response.status_code == 202
    body = wait_until_processed(live_stack, response.json()["id"], headers)
    assert body["status"] == "error"
    assert body["error"]["code"] == "ragged_rows"
    assert "line 3" in body["error"]["message"]


def test_the_client_uploads_a_frame_reads_it_back_and_derives_a_version(
    live_stack, tmp_path, monkeypatch
):
    import pandas as pd

    import tunebench

    monkeypatch.setenv("TUNEBENCH_CACHE_DIR", str(tmp_path / "cache"))
    created = live_stack.manage("create_api_key", "e2e-client", "--create-user")
    client = tunebench.connect(url=live_stack.url, api_key=created.stdout.split()[-1])
    frame = pd.DataFrame(
        {
            "x": [0.5, 1.5, None, 3.25] * 10,
            "n": list(range(40)),
            "label": pd.Categorical(["b", "a", "b", "c"] * 10, categories=["a", "b", "c"]),
        }
    )
    dataset = client.upload_dataset(
        frame, name="client-frame", default_target_attribute="label", wait=True, timeout=90
    )
    assert (dataset.status, dataset.qualities["NumberOfClasses"]) == ("active", 3)
    features, target = client.get_dataset(dataset.id).get_data(target="label")
    assert list(target.cat.categories) == ["a", "b", "c"]
    assert target.tolist() == frame["label"].tolist()
    assert features["x"].isna().sum() == 10
    assert features["n"].tolist() == list(range(40))

    derived = client.new_dataset_version(dataset.id, default_target_attribute="")
    derived = client.wait_for_dataset(derived.id, timeout=90)
    assert (derived.version, derived.status, derived.default_target_attribute) == (2, "active", "")
    assert client.get_dataset(dataset.id).files["parquet"].sha256 == dataset.files["parquet"].sha256
