"""describe_table: inference rules, canonical types, feature statistics, roles."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pyarrow as pa
import pytest

from tunebench.engine import DataFormatError, RawTable, describe_table
from tunebench.engine.describe import DICTIONARY, UTC


def _feature(description, name):
    return next(f for f in description.features if f.name == name)


def test_inference_and_canonical_types():
    n = 400
    table = pa.table(
        {
            "i": pa.array(range(n), pa.int32()),
            "u": pa.array([2**63 + 5] * n, pa.uint64()),
            "f": pa.array([1.5, float("nan")] * (n // 2), pa.float32()),
            "b": pa.array([True, False] * (n // 2)),
            "label": pa.array(["x", "y", "z", "x"] * (n // 4)),
            "free": pa.array([f"text {i}" for i in range(n)]),
            "iso": pa.array(["2024-01-02", "2024-02-03T04:05:06"] * (n // 2)),
            "day": pa.array([dt.date(2024, 1, 1)] * n),
            "empty": pa.nulls(n),
            "bin": pa.array([b"ab"] * n, pa.binary()),
        }
    )
    description = describe_table(table)
    kinds = {f.name: f.data_type for f in description.features}
    assert kinds == {
        "i": "numeric",
        "u": "numeric",
        "f": "numeric",
        "b": "boolean",
        "label": "nominal",
        "free": "string",
        "iso": "datetime",
        "day": "datetime",
        "empty": "numeric",
        "bin": "nominal",
    }
    schema = description.table.schema
    assert schema.field("i").type == pa.int64()
    assert schema.field("u").type == pa.float64()  # beyond int64
    assert schema.field("f").type == pa.float64()
    assert schema.field("label").type == DICTIONARY
    assert schema.field("iso").type == UTC
    assert schema.field("day").type == UTC
    assert _feature(description, "f").missing_count == n // 2  # NaN is missing
    assert _feature(description, "label").nominal_values == ["x", "y", "z"]


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["a", "b", "a", "b"], "nominal"),  # 2 distinct: always nominal
        (["a", "b", "c", "d"], "string"),  # 4 distinct of 4 values: more than n / 2
        (["a", "b", "c", "a", "b", "c"], "nominal"),  # 3 of 6: exactly n / 2
        ([f"v{i % 101}" for i in range(1000)], "string"),  # above the cap of 100
        ([f"v{i % 100}" for i in range(1000)], "nominal"),
    ],
)
def test_text_cardinality_rule(values, kind):
    description = describe_table(pa.table({"t": values}))
    assert description.features[0].data_type == kind


def test_target_text_is_nominal_and_declared_string_stays_string():
    table = pa.table({"t": ["a", "b", "c", "d"], "s": ["x", "x", "y", "y"]})
    raw = RawTable(table=table, format="arff", string_columns=frozenset({"s"}))
    description = describe_table(raw, target="t")
    assert [f.data_type for f in description.features] == ["nominal", "string"]
    assert description.features[0].is_target


def test_declared_categories_keep_their_order():
    raw = RawTable(
        table=pa.table({"c": ["b", None, "a"]}),
        format="arff",
        nominal_values={"c": ["b", "z", "a"]},
    )
    feature = describe_table(raw).features[0]
    assert feature.nominal_values == ["b", "z", "a"]
    assert (feature.missing_count, feature.distinct_count) == (1, 2)
    assert feature.stats == {"value_counts": [["b", 1], ["a", 1]]}


def test_numeric_stats_and_histogram():
    feature = describe_table(pa.table({"x": [1, 2, 2, 3, None]})).features[0]
    assert (feature.missing_count, feature.distinct_count) == (1, 3)
    stats = feature.stats
    assert (stats["min"], stats["max"], stats["mean"]) == (1, 3, 2.0)
    assert stats["std"] == pytest.approx(np.std([1, 2, 2, 3], ddof=1))
    assert sum(stats["histogram"]["counts"]) == 4
    assert len(stats["histogram"]["edges"]) == 21
    assert (stats["histogram"]["counts"][0], stats["histogram"]["counts"][-1]) == (1, 1)


def test_stats_are_json_without_nan_or_infinity():
    table = pa.table(
        {
            "inf": [1.0, float("inf"), None],
            "none": pa.array([None, None, None], pa.float64()),
            "t": pa.array([dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)] * 3),
        }
    )
    description = describe_table(table)
    text = json.dumps([f.stats for f in description.features], allow_nan=False)
    assert "Infinity" not in text
    assert description.features[0].stats["max"] is None  # infinite: not representable
    assert description.features[2].stats == {
        "min": "2024-01-01T12:00:00Z",
        "max": "2024-01-01T12:00:00Z",
    }
    json.dumps(description.qualities, allow_nan=False)


def test_value_counts_are_capped_at_50_with_ties_by_value():
    values = [f"v{i:03d}" for i in range(300)] * 2 + ["v299"]
    feature = describe_table(pa.table({"s": values})).features[0]
    assert (feature.data_type, feature.distinct_count) == ("string", 300)
    counts = feature.stats["value_counts"]
    assert len(counts) == 50
    assert counts[0] == ["v299", 3]
    assert counts[1:3] == [["v000", 2], ["v001", 2]]


def test_boolean_stats():
    feature = describe_table(pa.table({"b": [True, True, False, None]})).features[0]
    assert feature.stats == {"value_counts": [[True, 2], [False, 1]]}
    assert (feature.distinct_count, feature.missing_count) == (2, 1)


def test_roles_and_row_id():
    table = pa.table({"id": [3.0, 1.0, 2.0], "x": [1, 2, 3], "y": ["a", "b", "a"]})
    description = describe_table(table, target="y", row_id="id", ignore=["x"])
    flags = [(f.is_target, f.is_row_id, f.is_ignored) for f in description.features]
    assert flags == [(False, True, False), (False, False, True), (True, False, False)]
    assert description.table.schema.field("id").type == pa.int64()


@pytest.mark.parametrize(
    ("kwargs", "code", "column"),
    [
        ({"target": "nope"}, "unknown_column", "nope"),
        ({"row_id": "nope"}, "unknown_column", "nope"),
        ({"ignore": ["x", "nope"]}, "unknown_column", "nope"),
        ({"row_id": "dup"}, "invalid_row_id", "dup"),
        ({"row_id": "gap"}, "invalid_row_id", "gap"),
        ({"row_id": "frac"}, "invalid_row_id", "frac"),
        ({"row_id": "s"}, "invalid_row_id", "s"),
    ],
)
def test_role_errors(kwargs, code, column):
    table = pa.table(
        {
            "x": [1, 2, 3],
            "dup": [1, 1, 2],
            "gap": [1, None, 3],
            "frac": [1.5, 2.0, 3.0],
            "s": ["a", "b", "c"],
        }
    )
    with pytest.raises(DataFormatError) as caught:
        describe_table(table, **kwargs)
    assert (caught.value.code, caught.value.column) == (code, column)


def test_duplicate_names_in_a_table_are_refused():
    table = pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["a", "a"])
    with pytest.raises(DataFormatError) as caught:
        describe_table(table)
    assert caught.value.code == "duplicate_column"


def test_unsupported_arrow_type():
    with pytest.raises(DataFormatError) as caught:
        describe_table(pa.table({"d": pa.array([1, 2], pa.duration("s"))}))
    assert (caught.value.code, caught.value.column) == ("unsupported_type", "d")
