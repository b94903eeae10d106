"""Datasets: upload (streamed, checksummed), waiting, cached downloads, lists, edits and the CLI.

All against the fake server in conftest.py: dataset 7 is an active iris with a real Parquet file
(`iris.parquet`), datasets 8 and 9 fill a second page of the list, uploads get ids from 100 on.
"""

import hashlib
import io
import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import tunebench
from tunebench import cli
from tunebench.datasets import (
    DatasetFailure,
    DatasetFile,
    TeamRef,
    UserRef,
    cache_dir,
    format_quality_range,
)

DOWNLOAD = "/api/v1/datasets/7/download/parquet/"


def downloads(server, path=DOWNLOAD):
    return [r for r in server.requests if r.path == path]


def cached_file(iris):
    return cache_dir() / "datasets" / f"{iris.parquet_sha256}.parquet"


@pytest.fixture
def frame():
    """A DataFrame with a nominal (categorical) column and a missing value."""
    return pd.DataFrame(
        {
            "sepal": [5.1, 4.9, np.nan],
            "colour": pd.Categorical(["red", "blue", "red"], categories=["red", "blue", "green"]),
            "class": pd.Categorical(["a", "b", "a"]),
        },
        index=[10, 11, 12],
    )


# -- upload ----------------------------------------------------------------------------------


def test_upload_dataframe_sends_parquet_with_categories_and_its_sha256(server, client, frame):
    dataset = client.upload_dataset(
        frame, name="My irises", default_target_attribute="class", tags=["flowers", "small"]
    )
    upload = server.uploads[-1]
    assert upload.filename == "My-irises.parquet"
    assert upload.fields["sha256_checksum"] == [hashlib.sha256(upload.content).hexdigest()]
    assert upload.fields["md5_checksum"] == [
        hashlib.md5(upload.content, usedforsecurity=False).hexdigest()
    ]
    assert upload.fields["name"] == ["My irises"]
    assert upload.fields["default_target_attribute"] == ["class"]
    assert upload.fields["tags"] == ["flowers", "small"]
    assert upload.fields["visibility"] == ["public"]
    assert "team_id" not in upload.fields
    table = pq.read_table(io.BytesIO(upload.content))
    assert table.column_names == ["sepal", "colour", "class"]  # the index is not uploaded
    assert table.column("colour").type.value_type == "string"
    assert table.column("colour").combine_chunks().dictionary.to_pylist() == [
        "red",
        "blue",
        "green",
    ]
    assert (dataset.id, dataset.name, dataset.status) == (100, "My irises", "processing")
    assert dataset.client is client


def test_upload_path_streams_the_file_unchanged_with_a_content_length(
    server, client, tmp_path, iris
):
    path = tmp_path / "iris.csv"
    path.write_bytes(iris.csv)
    dataset = client.upload_dataset(path, name="iris", ignore_attributes="junk")
    upload = server.uploads[-1]
    assert (upload.filename, upload.content) == ("iris.csv", iris.csv)
    assert upload.fields["sha256_checksum"] == [hashlib.sha256(iris.csv).hexdigest()]
    assert upload.fields["ignore_attributes"] == ["junk"]  # one string is one column
    headers = server.requests[-1].headers
    assert int(headers["Content-Length"]) == len(server.requests[-1].body)
    assert "Transfer-Encoding" not in headers
    assert dataset.original_filename == "iris.csv"


def test_upload_accepts_a_str_path(server, client, tmp_path, iris):
    (tmp_path / "data.csv").write_bytes(iris.csv)
    client.upload_dataset(str(tmp_path / "data.csv"), name="iris")
    assert server.uploads[-1].content == iris.csv


def test_upload_with_a_team_object_shares_it_with_that_team(server, client):
    lab = client.list_teams()[0]
    dataset = client.upload_dataset(pd.DataFrame({"a": [1, 2]}), name="t", team=lab)
    fields = server.uploads[-1].fields
    assert (fields["visibility"], fields["team_id"]) == (["team"], ["3"])
    assert dataset.team == TeamRef(id=3, slug="lab", name="Lab")


@pytest.mark.parametrize(("visibility", "team"), [("public", 3), ("private", 3), ("team", None)])
def test_upload_with_team_and_visibility_disagreeing_fails_before_sending(
    server, client, visibility, team
):
    with pytest.raises(ValueError, match="visibility='team'"):
        client.upload_dataset(pd.DataFrame({"a": [1]}), name="t", visibility=visibility, team=team)
    assert server.requests == []


def test_upload_of_something_that_is_not_a_table_raises_type_error(server, client):
    with pytest.raises(TypeError, match="DataFrame or a file path"):
        client.upload_dataset([[1, 2]], name="t")
    assert server.requests == []


def test_upload_of_a_missing_file_raises_file_not_found(server, client, tmp_path):
    with pytest.raises(FileNotFoundError):
        client.upload_dataset(tmp_path / "nope.csv", name="t")
    assert server.requests == []


def test_upload_too_large_raises_the_servers_problem(server, client, tmp_path, iris):
    server.respond(
        "POST",
        "/api/v1/datasets/",
        413,
        {"status": 413, "code": "payload_too_large", "detail": "Uploads are limited to 1 GB."},
    )
    path = tmp_path / "big.csv"
    path.write_bytes(iris.csv)
    with pytest.raises(tunebench.TunebenchError) as excinfo:
        client.upload_dataset(path, name="big")
    assert (excinfo.value.status, excinfo.value.code) == (413, "payload_too_large")


def test_upload_with_wait_returns_the_dataset_once_active(server, client, tmp_path, iris):
    server.script[100] = [{"status": "processing"}, {"status": "active"}]
    path = tmp_path / "iris.csv"
    path.write_bytes(iris.csv)
    dataset = client.upload_dataset(path, name="iris", wait=True)
    assert dataset.status == "active"
    polls = [r for r in server.requests if r.path == "/api/v1/datasets/100/"]
    assert len(polls) == 2


# -- wait ------------------------------------------------------------------------------------


def test_wait_for_dataset_polls_until_active(server, client):
    server.datasets[7]["status"] = "processing"
    server.script[7] = [{"status": "processing"}] * 3 + [{"status": "active"}]
    dataset = client.wait_for_dataset(7, poll_interval=0.01)
    assert dataset.status == "active"
    assert len([r for r in server.requests if r.path == "/api/v1/datasets/7/"]) == 4


def test_wait_for_dataset_raises_dataset_error_with_the_servers_code(server, client):
    error = {"code": "ragged_rows", "message": "Line 3 has 2 values, the header 3."}
    server.script[7] = [{"status": "processing"}, {"status": "error", "error": error}]
    with pytest.raises(tunebench.DatasetError) as excinfo:
        client.wait_for_dataset(7, poll_interval=0.01)
    exc = excinfo.value
    assert exc.code == "ragged_rows"
    assert exc.dataset.error == DatasetFailure(**error)
    assert str(exc) == "ragged_rows: Line 3 has 2 values, the header 3. (dataset 7)"


def test_wait_for_dataset_gives_up_after_timeout(server, client):
    server.script[7] = [{"status": "processing"}]
    with pytest.raises(tunebench.WaitTimeout, match=r"still processing after 0\.05 s"):
        client.wait_for_dataset(7, timeout=0.05, poll_interval=0.01)


def test_wait_for_dataset_shows_a_spinner_only_when_asked(server, client, capsys):
    client.wait_for_dataset(7)
    assert capsys.readouterr().err == ""  # stderr is not a terminal under pytest
    client.wait_for_dataset(7, progress=True)
    assert "Dataset 7: active" in capsys.readouterr().err


# -- read ------------------------------------------------------------------------------------


def test_get_dataset_parses_the_whole_description(client, iris):
    dataset = client.get_dataset(8)
    assert dataset.team == TeamRef(id=3, slug="lab", name="Lab")
    assert dataset.uploader == UserRef(id=1, username="ada")
    assert dataset.error is None
    assert dataset.files["parquet"] == DatasetFile(
        size=len(iris.parquet),
        md5=hashlib.md5(iris.parquet, usedforsecurity=False).hexdigest(),
        sha256=iris.parquet_sha256,
        url="/api/v1/datasets/8/download/parquet/",
    )
    assert dataset.files["original"].url is None
    assert dataset.qualities["MajorityClassSize"] == 2.0
    assert (dataset.ignore_attributes, dataset.tags) == (["junk"], [])


def test_dataset_equality_and_repr_leave_out_the_client(server, api_key):
    with tunebench.Client(server.url, api_key) as one, tunebench.Client(server.url, api_key) as two:
        assert one.get_dataset(7) == two.get_dataset(7)
        assert "client" not in repr(one.get_dataset(7))


def test_get_dataset_missing_fields_raises_invalid_response(server, client):
    server.respond("GET", "/api/v1/datasets/7/", 200, {"id": 7, "name": "iris"})
    with pytest.raises(tunebench.TunebenchError) as excinfo:
        client.get_dataset(7)
    assert excinfo.value.code == "invalid_response"


def test_dataset_id_that_is_not_an_integer_is_refused(server, client):
    with pytest.raises(TypeError):
        client.get_dataset("7/../../teams")
    assert server.requests == []


def test_get_data_returns_nominal_columns_as_categoricals(client):
    data = client.get_dataset(7).get_data(include_row_id=True, include_ignore_attributes=True)
    assert list(data.columns) == ["row_id", "sepal", "colour", "junk", "class"]
    assert data["row_id"].tolist() == [1, 2, 3]
    assert data["sepal"].tolist() == [5.1, 4.9, 6.2]
    assert isinstance(data["colour"].dtype, pd.CategoricalDtype)
    assert list(data["colour"].cat.categories) == ["red", "blue"]
    assert data["colour"].isna().tolist() == [False, True, False]


def test_get_data_leaves_out_row_id_and_ignored_columns_by_default(client):
    data = client.get_dataset(7).get_data()
    assert list(data.columns) == ["sepal", "colour", "class"]


def test_get_data_with_a_target_returns_x_and_y(client):
    dataset = client.get_dataset(7)
    X, y = dataset.get_data(target=dataset.default_target_attribute)
    assert list(X.columns) == ["sepal", "colour"]
    assert y.name == "class"
    assert y.tolist() == ["a", "b", "a"]


def test_get_data_with_an_unknown_target_names_the_columns(client):
    with pytest.raises(ValueError, match="no column 'species'; its columns are row_id, sepal"):
        client.get_dataset(7).get_data(target="species")


def test_get_data_caches_the_file_so_a_second_call_sends_no_request(server, client, iris):
    dataset = client.get_dataset(7)
    first = dataset.get_data()
    assert cached_file(iris).read_bytes() == iris.parquet
    before = len(server.requests)
    second = dataset.get_data()
    assert len(server.requests) == before
    pd.testing.assert_frame_equal(first, second)


def test_get_dataset_data_downloads_the_file_once_across_calls(server, client):
    X, y = client.get_dataset_data(7, target="class")
    client.get_dataset_data(7)
    assert len(downloads(server)) == 1
    assert (X.shape, y.tolist()) == ((3, 2), ["a", "b", "a"])


def test_cache_is_shared_by_content_not_by_dataset_id(server, client, iris):
    client.get_dataset_data(7)
    server.datasets[12] = iris.dataset_json(12)  # another version, byte-identical data
    client.get_dataset_data(12)
    assert downloads(server, "/api/v1/datasets/12/download/parquet/") == []


def test_corrupted_cache_file_is_downloaded_again(server, client, iris):
    client.get_dataset_data(7)
    cached_file(iris).write_bytes(iris.parquet[:-10] + b"0123456789")
    data = client.get_dataset_data(7)
    assert len(downloads(server)) == 2
    assert cached_file(iris).read_bytes() == iris.parquet
    assert data["sepal"].tolist() == [5.1, 4.9, 6.2]


@pytest.mark.parametrize("fault", ["bytes damaged on the way", "header disagrees with dataset"])
def test_download_with_a_wrong_checksum_raises_and_keeps_nothing(server, client, iris, fault):
    if fault == "bytes damaged on the way":
        content, announced = iris.parquet[:-1] + b"!", iris.parquet_sha256
    else:
        content, announced = iris.parquet, "0" * 64
    server.respond(
        "GET",
        DOWNLOAD,
        raw=content,
        content_type="application/vnd.apache.parquet",
        headers={"X-Checksum-SHA256": announced},
    )
    with pytest.raises(tunebench.ChecksumMismatch) as excinfo:
        client.get_dataset_data(7)
    assert excinfo.value.code == "checksum_mismatch"
    assert list((cache_dir() / "datasets").iterdir()) == []


def test_get_data_of_a_processing_dataset_says_to_wait(server, client):
    server.datasets[7].update(status="processing", files={})
    with pytest.raises(tunebench.DatasetError) as excinfo:
        client.get_dataset_data(7)
    assert excinfo.value.code == "dataset_processing"
    assert "wait_for_dataset(7)" in str(excinfo.value)
    assert downloads(server) == []


def test_dataframe_uploaded_then_read_back_keeps_values_and_categories(server, client, frame, iris):
    dataset = client.upload_dataset(frame, name="iris")  # processing: no files yet
    content = server.uploads[-1].content
    server.datasets[100].update(
        status="active", files={"parquet": iris.file_json(100, "parquet", content)}
    )
    server.files[(100, "parquet")] = content
    data = dataset.get_data()
    pd.testing.assert_frame_equal(data, frame.reset_index(drop=True))


def test_server_checksum_that_is_not_hex_never_becomes_a_path(server, client):
    server.datasets[7]["files"]["parquet"]["sha256"] = "../../../etc/passwd"
    with pytest.raises(tunebench.TunebenchError) as excinfo:
        client.get_dataset_data(7)
    assert excinfo.value.code == "invalid_response"
    assert downloads(server) == []


def test_download_progress_bar_is_shown_only_when_asked(client, capsys, iris):
    client.get_dataset_data(7)
    assert capsys.readouterr().err == ""
    cached_file(iris).unlink()
    client.get_dataset_data(7, progress=True)
    assert "Dataset 7 (parquet)" in capsys.readouterr().err


def test_cache_dir_prefers_tunebench_cache_dir_then_xdg_then_home(tmp_path, monkeypatch):
    assert cache_dir() == tmp_path / "home" / ".cache" / "tunebench"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert cache_dir() == tmp_path / "home" / ".cache" / "tunebench"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "tunebench"
    monkeypatch.setenv("TUNEBENCH_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"


def test_download_dataset_saves_under_the_servers_name(client, tmp_path, iris):
    path = client.download_dataset(7, tmp_path, format="csv")
    assert path == tmp_path / "iris-v1.csv"
    assert path.read_bytes() == iris.csv


def test_download_dataset_to_a_file_path_replaces_it_leaving_no_temporary_file(
    client, tmp_path, iris
):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "mine.parquet"
    target.write_bytes(b"old")
    assert client.download_dataset(7, target) == target
    assert target.read_bytes() == iris.parquet
    assert [p.name for p in target.parent.iterdir()] == ["mine.parquet"]


def test_download_dataset_keeps_a_suggested_name_inside_the_directory(
    server, client, tmp_path, iris
):
    server.respond(
        "GET",
        "/api/v1/datasets/7/download/csv/",
        raw=iris.csv,
        headers={
            "X-Checksum-SHA256": hashlib.sha256(iris.csv).hexdigest(),
            "Content-Disposition": 'attachment; filename="../../evil.csv"',
        },
    )
    (tmp_path / "out").mkdir()
    assert client.download_dataset(7, tmp_path / "out", format="csv") == tmp_path / "out/evil.csv"


def test_download_dataset_without_that_format_raises_dataset_file_missing(server, client):
    with pytest.raises(tunebench.DatasetError) as excinfo:
        client.download_dataset(7, format="arff")
    assert excinfo.value.code == "dataset_file_missing"


# -- list, features, qualities ---------------------------------------------------------------


def test_list_datasets_returns_one_row_per_dataset_over_every_page(server, client):
    frame = client.list_datasets()
    assert frame["id"].tolist() == [7, 8, 9]
    assert frame.columns.tolist() == [
        "id",
        "name",
        "version",
        "status",
        "format",
        "visibility",
        "uploader",
        "team",
        "tags",
        "created_at",
        "NumberOfInstances",
        "NumberOfFeatures",
        "NumberOfClasses",
        "NumberOfMissingValues",
    ]
    assert frame.iloc[1][["name", "uploader", "team"]].tolist() == ["wine", "ada", "lab"]
    assert frame["tags"].tolist() == [["flowers"], [], ["flowers"]]
    assert frame["NumberOfInstances"].dtype == "float64"
    assert frame["NumberOfInstances"].tolist() == [3.0, 3.0, 3.0]
    queries = [r.query for r in server.requests]
    assert queries == [{}, {"limit": ["2"], "offset": ["2"]}]


def test_list_datasets_sends_filters_and_quality_ranges(server, client):
    lab = client.list_teams()[0]
    client.list_datasets(
        name="iris",
        tag="flowers",
        status="all",
        team=lab,
        ordering="-NumberOfInstances",
        NumberOfInstances=(1000, 10000),
        NumberOfClasses=2,
        NumberOfMissingValues=(None, 0),
        NumberOfFeatures="10..",
    )
    assert server.requests[-2].query == {
        "name": ["iris"],
        "tag": ["flowers"],
        "status": ["all"],
        "team": ["3"],
        "ordering": ["-NumberOfInstances"],
        "NumberOfInstances": ["1000..10000"],
        "NumberOfClasses": ["2"],
        "NumberOfMissingValues": ["..0"],
        "NumberOfFeatures": ["10.."],
    }


def test_list_datasets_with_no_match_has_the_columns(server, client):
    server.respond("GET", "/api/v1/datasets/", 200, {"count": 0, "next": None, "results": []})
    frame = client.list_datasets(name="nothing")
    assert frame.empty
    assert {"id", "name", "NumberOfInstances"} <= set(frame.columns)


def test_list_datasets_with_limit_reads_only_what_it_needs(server, client):
    assert client.list_datasets(limit=1)["id"].tolist() == [7]
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        ((1000, 10000), "1000..10000"),
        ([1000, 10000], "1000..10000"),
        ((10, None), "10.."),
        ((None, 0), "..0"),
        (2, "2"),
        (np.int64(5), "5"),
        ((0.5, 1e16), "0.5..1e+16"),
        (0.123456789, "0.123456789"),
        ("..5", "..5"),
    ],
)
def test_format_quality_range(value, sent):
    assert format_quality_range(value) == sent


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ((None, None), ValueError),
        ((1, 2, 3), ValueError),
        (float("nan"), ValueError),
        ((1, float("inf")), ValueError),
        (True, TypeError),
        ({"min": 1}, TypeError),
    ],
)
def test_format_quality_range_rejects_what_the_server_cannot_read(value, error):
    with pytest.raises(error):
        format_quality_range(value)


def test_get_dataset_features_reads_every_page_in_column_order(server, client):
    features = client.get_dataset_features(7)
    assert features["name"].tolist() == ["row_id", "sepal", "colour", "junk", "class"]
    assert features.loc[2, "nominal_values"] == ["red", "blue"]
    assert features["is_target"].tolist() == [False, False, False, False, True]
    assert len(server.requests) == 3  # five features, two per page


def test_get_dataset_qualities_returns_all_of_them(client, iris):
    assert client.get_dataset_qualities(7) == {**iris.basic_qualities, "MajorityClassSize": 2.0}


# -- change ----------------------------------------------------------------------------------


def test_edit_dataset_sends_only_the_given_fields(server, client):
    dataset = client.edit_dataset(7, description="New.", tags="iris", default_target_attribute="")
    request = server.requests[-1]
    assert request.method == "PATCH"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {
        "description": "New.",
        "default_target_attribute": "",
        "tags": ["iris"],
    }
    assert (dataset.description, dataset.tags) == ("New.", ["iris"])


def test_edit_dataset_without_fields_raises_and_sends_nothing(server, client):
    with pytest.raises(ValueError, match="Nothing to change"):
        client.edit_dataset(7)
    assert server.requests == []


def test_deactivate_and_reactivate_return_the_dataset_in_its_new_state(client):
    assert client.deactivate_dataset(7).status == "deactivated"
    assert client.reactivate_dataset(7).status == "active"


def test_delete_dataset_deletes_it(server, client):
    assert client.delete_dataset(9) is None
    assert (server.requests[-1].method, server.requests[-1].path) == (
        "DELETE",
        "/api/v1/datasets/9/",
    )
    with pytest.raises(tunebench.NotFound):
        client.get_dataset(9)


def test_state_conflict_from_the_server_raises_with_its_code(server, client):
    body = {"status": 409, "code": "dataset_in_use", "detail": "A task uses this dataset."}
    server.respond("DELETE", "/api/v1/datasets/7/", 409, body)
    with pytest.raises(tunebench.TunebenchError) as excinfo:
        client.delete_dataset(7)
    assert (excinfo.value.status, excinfo.value.code) == (409, "dataset_in_use")


# -- module functions ------------------------------------------------------------------------


def test_module_functions_use_the_default_connection(server, api_key):
    tunebench.connect(server.url, api_key=api_key)
    dataset = tunebench.get_dataset(7)
    assert dataset.client is tunebench.client.default_client()
    assert tunebench.list_datasets()["name"].tolist() == ["iris", "wine", "iris"]
    X, y = tunebench.get_dataset_data(7, target="class")
    assert len(X) == len(y) == 3
    assert tunebench.get_dataset_qualities(7)["NumberOfInstances"] == 3.0
    assert tunebench.edit_dataset(7, licence="CC0-1.0").licence == "CC0-1.0"


def test_dataset_without_a_client_reads_through_the_default_connection(server, api_key, iris):
    tunebench.connect(server.url, api_key=api_key)
    dataset = tunebench.Dataset.from_json(iris.dataset_json(7))
    assert dataset.client is None
    assert len(dataset.get_data()) == 3


# -- command line ----------------------------------------------------------------------------


@pytest.fixture
def run(server, api_key, capsys):
    """`tunebench --url <fake> --api-key <key> ARGS...` → (exit code, stdout, stderr)."""

    def run(*args):
        code = cli.main(["--url", server.url, "--api-key", api_key, *map(str, args)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_cli_datasets_list_prints_an_aligned_table(run):
    assert run("datasets", "list") == (
        0,
        "ID  NAME  VERSION  STATUS  INSTANCES  FEATURES  UPLOADER\n"
        " 7  iris        1  active          3         5  ada\n"
        " 8  wine        1  active          3         5  ada\n"
        " 9  iris        2  active          3         5  ada\n",
        "",
    )


def test_cli_datasets_list_passes_name_and_tag(server, run):
    code, _, _ = run("datasets", "list", "--name", "ir", "--tag", "flowers")
    assert code == 0
    assert server.requests[0].query == {"name": ["ir"], "tag": ["flowers"]}


def test_cli_datasets_list_with_no_match_says_so(server, run):
    server.respond("GET", "/api/v1/datasets/", 200, {"count": 0, "next": None, "results": []})
    assert run("datasets", "list") == (0, "No datasets.\n", "")


def test_cli_datasets_upload_sends_the_file_and_prints_the_new_dataset(server, run, tmp_path, iris):
    path = tmp_path / "iris.csv"
    path.write_bytes(iris.csv)
    code, out, err = run("datasets", "upload", path, "--name", "iris", "--target", "class")
    assert (code, err) == (0, "")
    assert out == "Uploaded dataset 100 (iris, version 1): processing.\n"
    assert server.uploads[-1].content == iris.csv
    assert server.uploads[-1].fields["default_target_attribute"] == ["class"]


def test_cli_datasets_upload_with_wait_reports_the_active_dataset(server, run, tmp_path, iris):
    server.script[100] = [{"status": "active", "qualities": iris.basic_qualities}]
    path = tmp_path / "iris.csv"
    path.write_bytes(iris.csv)
    code, out, _ = run("datasets", "upload", path, "--name", "iris", "--wait")
    assert code == 0
    assert out == (
        "Uploaded dataset 100 (iris, version 1): processing.\n"
        "Dataset 100 is active: 3 instances, 5 features.\n"
    )


def test_cli_datasets_upload_that_fails_processing_exits_1_with_the_code(
    server, run, tmp_path, iris
):
    error = {"code": "ragged_rows", "message": "Line 3 has 2 values, the header 3."}
    server.script[100] = [{"status": "error", "error": error}]
    path = tmp_path / "iris.csv"
    path.write_bytes(iris.csv)
    code, _, err = run("datasets", "upload", path, "--name", "iris", "--wait")
    assert code == 1
    assert err == "error: ragged_rows: Line 3 has 2 values, the header 3. (dataset 100)\n"


def test_cli_datasets_upload_of_a_missing_file_exits_1(server, run, tmp_path):
    code, out, err = run("datasets", "upload", tmp_path / "nope.csv", "--name", "x")
    assert (code, out) == (1, "")
    assert err.startswith("error: [Errno 2] No such file or directory: ")
    assert "nope.csv" in err
    assert server.requests == []


def test_cli_datasets_download_writes_the_file_and_prints_its_path(run, tmp_path, iris):
    target = tmp_path / "iris.csv"
    assert run("datasets", "download", 7, "--format", "csv", "-o", target) == (
        0,
        f"{target}\n",
        "",
    )
    assert target.read_bytes() == iris.csv


def test_cli_datasets_without_a_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as excinfo:
        cli.main(["datasets"])
    assert excinfo.value.code == 2


def test_cli_datasets_upload_with_contradicting_options_is_a_usage_error(server, run, tmp_path):
    path = tmp_path / "iris.csv"
    path.write_bytes(b"a\n1\n")
    code, out, err = run(
        "datasets", "upload", path, "--name", "x", "--visibility", "public", "--team", 3
    )
    assert (code, out) == (2, "")
    assert err == "error: visibility='team' needs team=..., and team=... needs visibility='team'.\n"
    assert server.requests == []
