"""ARFF reading: header syntax, dense and sparse data, and agreement with liac-arff."""

from __future__ import annotations

import datetime as dt

import arff as liac_arff
import numpy as np
import pyarrow as pa
import pytest

from tunebench.engine import DataFormatError, read_column_names, read_table

HEADER = """% comment before the relation
@RELATION 'test data'
@ATTRIBUTE 'a b' NUMERIC
@attribute n integer
@Attribute c {red, 'dark green', "blue"}
@ATTRIBUTE s string
@ATTRIBUTE d date
@ATTRIBUTE flag {TRUE, FALSE}
@DATA
"""


def test_dense_types_quotes_and_missing(write_file):
    path = write_file(
        "x.arff",
        HEADER + "1.5,3,red,'hello, world',2024-01-02T03:04:05,TRUE\n"
        "% a comment line inside @data\n"
        "?,?,'dark green',?,?,?\n"
        "\n"
        "-2e3,7,\"blue\",'it\\'s',2024-01-03T00:00:00,FALSE\n",
    )
    raw = read_table(path)
    table = raw.table
    assert raw.format == "arff"
    assert table.column_names == ["a b", "n", "c", "s", "d", "flag"]
    assert table.column("a b").to_pylist() == [1.5, None, -2000.0]
    assert table.schema.field("n").type == pa.int64()
    assert table.column("n").to_pylist() == [3, None, 7]
    assert table.column("c").to_pylist() == ["red", "dark green", "blue"]
    assert table.column("s").to_pylist() == ["hello, world", None, "it's"]
    assert table.column("d").type == pa.timestamp("us", tz="UTC")
    assert table.column("d")[0].as_py() == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert table.column("flag").to_pylist() == [True, None, False]  # {true,false} → boolean
    assert raw.nominal_values == {"c": ["red", "dark green", "blue"]}
    assert raw.string_columns == frozenset({"s"})


def test_padded_values_are_trimmed(write_file):
    path = write_file(
        "x.arff",
        "@relation r\n@attribute x real\n@attribute c {a,b}\n@data\n1, a\n 2 , b\n?, ?\n",
    )
    table = read_table(path).table
    assert table.to_pydict() == {"x": [1.0, 2.0, None], "c": ["a", "b", None]}


def test_padding_after_the_sampled_head_is_still_read(write_file):
    rows = "1,a\n" * 300_000 + "2, b\n"
    path = write_file(
        "x.arff", "@relation r\n@attribute x real\n@attribute c {a,b}\n@data\n" + rows
    )
    table = read_table(path).table
    assert table.column("c")[-1].as_py() == "b"


def test_integer_attribute_with_real_values_reads_as_real(write_file):
    path = write_file("x.arff", "@relation r\n@attribute n integer\n@data\n1\n2.5\n")
    assert read_table(path).table.column("n").to_pylist() == [1.0, 2.5]


def test_mixed_quote_characters(write_file):
    path = write_file(
        "x.arff",
        "@relation r\n@attribute s string\n@attribute t string\n@data\n"
        '\'say "hi"\',"it\'s"\n"plain",\'x\'\n',
    )
    assert read_table(path).table.to_pydict() == {
        "s": ['say "hi"', "plain"],
        "t": ["it's", "x"],
    }


def test_custom_date_format(write_file):
    path = write_file(
        "x.arff", '@relation r\n@attribute d date "dd/MM/yyyy"\n@data\n31/12/2023\n?\n'
    )
    column = read_table(path).table.column("d")
    assert column.to_pylist()[0] == dt.datetime(2023, 12, 31, tzinfo=dt.UTC)


def test_sparse_defaults_follow_weka(write_file):
    path = write_file(
        "x.arff",
        "@relation r\n@attribute a numeric\n@attribute c {x,y}\n@attribute s string\n"
        "@attribute i integer\n@data\n{0 1.5, 1 y}\n{2 'some text', 3 4}\n{}\n{0 ?}\n",
    )
    raw = read_table(path)
    assert raw.format == "sparse_arff"
    assert raw.table.to_pydict() == {
        "a": [1.5, 0.0, 0.0, None],
        "c": ["y", "x", "x", "x"],
        "s": ["", "some text", "", ""],
        "i": [0, 4, 0, 0],
    }


@pytest.mark.parametrize(
    ("content", "code", "line"),
    [
        ("@relation r\n@attribute a foo\n@data\n1\n", "unknown_arff_type", 2),
        ("@relation r\n@attribute a relational\n@data\n", "unknown_arff_type", 2),
        ("@relation r\n@attribute a numeric\n", "invalid_arff", None),
        ("@relation r\n@data\n1\n", "invalid_arff", 2),
        ("@relation r\n@attribute a\n@data\n1\n", "invalid_arff", 2),
        ("@relation r\n@attribute a {x,y\n@data\nx\n", "invalid_arff", 2),
        ("@relation r\n@attribute a numeric\n@data\n", "no_rows", 4),
        (
            "@relation r\n@attribute a numeric\n@attribute a real\n@data\n1,2\n",
            "duplicate_column",
            3,
        ),
        ("@relation r\n@attribute c {x,y}\n@data\nx\n\n% c\nz\n", "value_not_in_nominal_set", 7),
        ("@relation r\n@attribute a numeric\n@data\n1\nabc\n", "invalid_arff", 5),
        (
            "@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n1,2\n3\n",
            "ragged_rows",
            6,
        ),
        (
            "@relation r\n@attribute a numeric\n@data\n{0 1}\n{3 1}\n",
            "sparse_index_out_of_range",
            5,
        ),
        ("@relation r\n@attribute a numeric\n@data\n{0 1}\n1\n", "invalid_arff", 5),
        ("@relation r\n@attribute a numeric\n@data\n{0 abc}\n", "invalid_arff", 4),
        ("@relation r\n@attribute c {x,y}\n@data\n{0 z}\n", "value_not_in_nominal_set", 4),
    ],
)
def test_errors_with_lines(write_file, content, code, line):
    with pytest.raises(DataFormatError) as caught:
        read_table(write_file("x.arff", content), "arff")
    assert (caught.value.code, caught.value.line) == (code, line)


def test_read_column_names_checks_the_header(write_file):
    path = write_file("x.arff", HEADER + "garbage that is never read\n")
    assert read_column_names(path) == ["a b", "n", "c", "s", "d", "flag"]
    with pytest.raises(DataFormatError) as caught:
        read_column_names(write_file("y.arff", "@relation r\n@attribute a money\n@data\n"))
    assert caught.value.code == "unknown_arff_type"


def test_agrees_with_liac_arff(tmp_path):
    """The same file, read by both: identical values, missing values included."""
    rng = np.random.default_rng(3)
    n = 500
    data = {
        "x": rng.normal(size=n).round(6).tolist(),
        "k": rng.integers(-5, 5, n).tolist(),
        "c": rng.choice(["a", "b c", "d'e"], n).tolist(),
        "s": [f"text {i}, more" for i in range(n)],
    }
    data["x"][3] = None
    data["c"][4] = None
    rows = [list(row) for row in zip(*data.values(), strict=True)]
    document = {
        "relation": "cmp",
        "attributes": [
            ("x", "REAL"),
            ("k", "INTEGER"),
            ("c", ["a", "b c", "d'e"]),
            ("s", "STRING"),
        ],
        "data": rows,
    }
    path = tmp_path / "cmp.arff"
    path.write_text(liac_arff.dumps(document), encoding="utf-8")
    ours = read_table(path).table.to_pydict()
    theirs = liac_arff.loads(path.read_text(encoding="utf-8"))["data"]
    for index, name in enumerate(data):
        assert ours[name] == [row[index] for row in theirs], name
