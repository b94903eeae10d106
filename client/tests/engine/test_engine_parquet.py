"""Parquet reading: footer checks first, dictionaries kept, pandas artefacts dropped."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tunebench.engine import DataFormatError, read_column_names, read_table


def test_dictionary_keeps_declared_order_and_unused_categories(tmp_path):
    frame = pd.DataFrame(
        {"c": pd.Categorical(["b", "a", None], categories=["z", "b", "a"]), "x": [1.0, None, 3]}
    )
    path = tmp_path / "x.parquet"
    frame.to_parquet(path)
    raw = read_table(path)
    assert raw.format == "parquet"
    assert raw.nominal_values == {"c": ["z", "b", "a"]}
    assert raw.table.column("x").null_count == 1


def test_pandas_index_column_is_dropped(tmp_path):
    frame = pd.DataFrame({"a": [1, 2]}, index=pd.Index([10, 20], name="key"))
    path = tmp_path / "x.parquet"
    frame.to_parquet(path)
    assert read_table(path).table.column_names == ["a"]
    assert read_column_names(path) == ["a"]


def test_limits_come_from_the_footer(tmp_path):
    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"a": [1, 2, 3], "b": [4, 5, 6]}), path)
    for kwargs, code in (
        ({"max_columns": 1}, "too_many_columns"),
        ({"max_rows": 2}, "too_many_rows"),
    ):
        with pytest.raises(DataFormatError) as caught:
            read_table(path, **kwargs)
        assert caught.value.code == code


@pytest.mark.parametrize(
    ("table", "code"),
    [
        (pa.table({"a": pa.array([], pa.int64())}), "no_rows"),
        (pa.table({"s": [{"x": 1}]}), "nested_column"),
        (
            pa.table({"m": pa.array([[("k", 1)]], pa.map_(pa.string(), pa.int64()))}),
            "nested_column",
        ),
    ],
)
def test_refused_tables(tmp_path, table, code):
    path = tmp_path / "x.parquet"
    pq.write_table(table, path)
    with pytest.raises(DataFormatError) as caught:
        read_table(path)
    assert caught.value.code == code


def test_damaged_footer_is_truncated_parquet(tmp_path):
    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"a": list(range(1000))}), path)
    data = path.read_bytes()
    path.write_bytes(data[:8] + b"\x00" * (len(data) - 16) + data[-8:])  # magic kept, body wiped
    with pytest.raises(DataFormatError) as caught:
        read_table(path, "parquet")
    assert caught.value.code == "truncated_parquet"
