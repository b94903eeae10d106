"""Writers: round trips through every format, deterministic bytes, checksums, pandas."""

from __future__ import annotations

import datetime as dt
import hashlib

import arff as liac_arff
import pandas as pd
import pyarrow as pa
import pytest

from tunebench.engine import (
    describe_table,
    file_checksums,
    read_table,
    table_to_dataframe,
    write_arff,
    write_csv,
    write_parquet,
)

UTC = dt.UTC


def _mixed_table(rows: int = 60) -> pa.Table:
    """Every canonical type, with missing values and awkward text; nominal sets fully observed
    and sorted, so that even CSV (which declares nothing) can round-trip them."""
    return pa.table(
        {
            "id": list(range(rows)),
            "count": [None if i % 7 == 0 else i * 3 for i in range(rows)],
            "x": [None if i % 5 == 0 else i / 7 - 3 for i in range(rows)],
            "label": [["a b", "it's", "plain"][i % 3] for i in range(rows)],
            "flag": [None if i % 11 == 0 else i % 2 == 0 for i in range(rows)],
            "text": [f'row {i}, with "quotes" and a\\backslash' for i in range(rows)],
            "when": [
                None if i % 13 == 0 else dt.datetime(2024, 1, 1, tzinfo=UTC) + dt.timedelta(hours=i)
                for i in range(rows)
            ],
            "klass": [["no", "yes"][i % 2] for i in range(rows)],
        }
    )


@pytest.fixture
def described():
    return describe_table(_mixed_table(), target="klass")


@pytest.mark.parametrize("fmt", ["parquet", "csv", "arff"])
def test_round_trip_gives_identical_features_and_qualities(tmp_path, described, fmt):
    path = tmp_path / f"data.{fmt}"
    if fmt == "parquet":
        write_parquet(described.table, path)
    elif fmt == "csv":
        write_csv(described.table, path)
    else:
        write_arff(described.table, described.features, path, relation="mixed data")
    again = describe_table(read_table(path), target="klass")
    assert [f.data_type for f in again.features] == [
        "numeric", "numeric", "numeric", "nominal", "boolean", "string", "datetime", "nominal"
    ]  # fmt: skip
    assert again.features == described.features
    assert again.qualities == described.qualities
    assert again.table.equals(described.table) or fmt != "parquet"


@pytest.mark.parametrize("fmt", ["parquet", "csv", "arff"])
def test_writing_twice_gives_identical_bytes(tmp_path, described, fmt):
    sums = []
    for attempt in range(2):
        path = tmp_path / f"{attempt}.{fmt}"
        if fmt == "parquet":
            sums.append(write_parquet(described.table, path))
        elif fmt == "csv":
            sums.append(write_csv(described.table, path))
        else:
            sums.append(write_arff(described.table, described.features, path, relation="r"))
    assert sums[0] == sums[1]


def test_arff_declares_openml_types_and_liac_reads_it(tmp_path, described):
    path = tmp_path / "x.arff"
    write_arff(described.table, described.features, path, relation="mixed data")
    text = path.read_text(encoding="utf-8")
    assert "@RELATION 'mixed data'" in text
    assert "@ATTRIBUTE label {'a b','it\\'s',plain}" in text
    assert "@ATTRIBUTE flag {false,true}" in text
    assert "@ATTRIBUTE when DATE \"yyyy-MM-dd'T'HH:mm:ss\"" in text
    assert "\n0,?,?,'a b',?,'row 0, with \"quotes\" and a\\\\backslash',?,no\n" in text
    # liac-arff has no DATE type; everything else it reads as we wrote it.
    loaded = liac_arff.loads(text.replace("DATE \"yyyy-MM-dd'T'HH:mm:ss\"", "STRING"))
    assert loaded["data"][1][:4] == [1, 3, pytest.approx(1 / 7 - 3), "it's"]


def test_datetime_fractions_are_kept(tmp_path):
    table = pa.table(
        {"t": pa.array([dt.datetime(2024, 1, 1, 0, 0, 0, 250_000, tzinfo=UTC)], pa.timestamp("us"))}
    )
    described = describe_table(table)
    path = tmp_path / "x.arff"
    write_arff(described.table, described.features, path, relation="r")
    assert "2024-01-01T00:00:00.250000" in path.read_text()
    assert describe_table(read_table(path)).features == described.features


def test_file_checksums_match_hashlib(tmp_path):
    path = tmp_path / "blob"
    data = bytes(range(256)) * 10_000
    path.write_bytes(data)
    sums = file_checksums(path)
    assert sums.md5 == hashlib.md5(data).hexdigest()  # noqa: S324 - a checksum, not security
    assert sums.sha256 == hashlib.sha256(data).hexdigest()
    assert sums.size == len(data)


def test_table_to_dataframe_types(described):
    frame = table_to_dataframe(described.table)
    assert isinstance(frame["label"].dtype, pd.CategoricalDtype)
    assert list(frame["label"].cat.categories) == ["a b", "it's", "plain"]
    assert frame["id"].dtype == "int64"
    assert frame["count"].dtype == "Int64"
    assert frame["flag"].dtype == "boolean"
    assert str(frame["when"].dtype) == "datetime64[us, UTC]"
    assert frame["x"].isna().sum() == 12
