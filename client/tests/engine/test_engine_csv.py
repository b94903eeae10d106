"""CSV reading: dialects, quoting, missing values, types, and errors with their lines."""

from __future__ import annotations

import pyarrow as pa
import pytest

from tunebench.engine import DataFormatError, read_column_names, read_table
from tunebench.engine.csvfile import detect_dialect


@pytest.mark.parametrize(
    ("sample", "delimiter", "quote"),
    [
        ("a,b,c\n1,2,3\n", ",", '"'),
        ("a;b;c\n1,5;2,5;3\n", ";", '"'),
        ("a\tb\n1\t2\n", "\t", '"'),
        ("a|b\n1|2\n", "|", '"'),
        ('name,comment\nx,"a; b; c"\ny,"d; e"\n', ",", '"'),
        ("a,b\n'x,y',1\n'z,w',2\n", ",", "'"),
        ("single\n1\n2\n", ",", '"'),
    ],
)
def test_detect_dialect(sample, delimiter, quote):
    dialect = detect_dialect(sample)
    assert (dialect.delimiter, dialect.quote) == (delimiter, quote)


def test_types_missing_values_and_booleans(write_file):
    path = write_file(
        "x.csv",
        "i,f,s,b,d,t\n"
        "1,1.5,x,true,2024-01-02,2024-01-02 03:04:05\n"
        "2,NA,None,False,2024-01-03,2024-01-03T00:00:00\n"
        "?,nan,y,TRUE,,\n"
        "4,N/A,null,,2024-01-05,2024-01-05 00:00:00\n",
    )
    table = read_table(path).table
    assert [f.type for f in table.schema][:4] == [pa.int64(), pa.float64(), pa.string(), pa.bool_()]
    assert pa.types.is_date(table.schema.field("d").type)
    assert pa.types.is_timestamp(table.schema.field("t").type)
    assert table.column("i").to_pylist() == [1, 2, None, 4]
    assert table.column("f").null_count == 3
    assert table.column("s").to_pylist() == ["x", None, "y", None]  # 'None' and 'null' are missing
    assert table.column("b").to_pylist() == [True, False, True, None]


def test_zero_one_columns_stay_numeric(write_file):
    table = read_table(write_file("x.csv", "flag\n0\n1\n1\n")).table
    assert table.schema.field("flag").type == pa.int64()


def test_quoted_newlines_and_doubled_quotes(write_file):
    raw = read_table(write_file("x.csv", 'a,b\n1,"two\nlines"\n2,"say ""hi"""\n'))
    assert raw.table.column("b").to_pylist() == ["two\nlines", 'say "hi"']
    assert raw.format == "csv"
    assert raw.nominal_values == {}


def test_header_with_quoted_newline(write_file):
    table = read_table(write_file("x.csv", '"first\nname",b\n1,2\n')).table
    assert table.column_names == ["first\nname", "b"]


def test_bom_is_stripped(write_file):
    table = read_table(write_file("x.csv", "\ufeffname,n\nx,1\n")).table
    assert table.column_names == ["name", "n"]


def test_semicolon_and_crlf(write_file):
    table = read_table(write_file("x.csv", "a;b\r\n1;x\r\n2;y\r\n")).table
    assert table.to_pydict() == {"a": [1, 2], "b": ["x", "y"]}


def test_late_text_in_a_numeric_column_widens_it(write_file):
    """pyarrow unifies types across blocks; a value far down the file still counts."""
    path = write_file("x.csv", "a,b\n" + "1,2\n" * 400_000 + "oops,3\n")
    table = read_table(path).table
    assert table.schema.field("a").type == pa.string()
    assert table.num_rows == 400_001


@pytest.mark.parametrize(
    ("content", "code", "line"),
    [
        ("a,b,c\n1,2,3\n4,5\n", "ragged_rows", 3),
        ("a,b\n1,2\n3,4,5\n", "ragged_rows", 3),
        ('a,b\n1,"x\ny",2,3\n', "ragged_rows", 2),
        ('a,b\n1,2\n"3,4\n5,6\n', "unterminated_quote", 3),
        ('a,b\n1,"x\n2,y\n', "unterminated_quote", 2),
        ("a,b\n", "no_rows", None),
        ("a,b\n\n\n", "no_rows", None),
        ("a,a\n1,2\n", "duplicate_column", 1),
        ("a, \n1,2\n", "empty_column_name", 1),
    ],
)
def test_errors_with_lines(write_file, content, code, line):
    with pytest.raises(DataFormatError) as caught:
        read_table(write_file("x.csv", content))
    assert (caught.value.code, caught.value.line) == (code, line)


def test_invalid_utf8_far_into_the_file_has_its_line(write_file):
    body = "a,b\n" + "x,1\n" * 300_000
    path = write_file("x.csv", body.encode() + "é,2\n".encode("latin-1"))
    with pytest.raises(DataFormatError) as caught:
        read_table(path)
    assert (caught.value.code, caught.value.line) == ("undecodable_text", 300_002)


def test_nul_far_into_the_file(write_file):
    path = write_file("x.csv", b"a,b\n" + b"x,1\n" * 300_000 + b"y,\x00\n")
    with pytest.raises(DataFormatError) as caught:
        read_table(path)
    assert (caught.value.code, caught.value.line) == ("nul_bytes", 300_002)


def test_limits(write_file):
    path = write_file("x.csv", "a,b,c\n1,2,3\n4,5,6\n")
    with pytest.raises(DataFormatError) as caught:
        read_table(path, max_columns=2)
    assert caught.value.code == "too_many_columns"
    with pytest.raises(DataFormatError) as caught:
        read_table(path, max_rows=1)
    assert caught.value.code == "too_many_rows"
    assert read_table(path, max_rows=2).table.num_rows == 2


def test_read_column_names_is_header_only(write_file):
    path = write_file("x.csv", "id;label\n1;a\n2\n")  # a ragged row below the header
    assert read_column_names(path) == ["id", "label"]
    assert read_column_names(path, "csv") == ["id", "label"]
    with pytest.raises(DataFormatError) as caught:
        read_column_names(write_file("y.csv", "a,b,a\n1,2,3\n"))
    assert caught.value.code == "duplicate_column"
