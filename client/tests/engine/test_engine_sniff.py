"""sniff_format: the format comes from the bytes, never from the file name."""

from __future__ import annotations

import gzip
import io
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tunebench.engine import DataFormatError, sniff_format


def _parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"a": [1, 2, 3]}), buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("data.txt", "a,b\n1,2\n", "csv"),
        ("data.arff", "a;b\n1;2\n", "csv"),
        ("x.csv", "% comment\n\n@RELATION iris\n@ATTRIBUTE a NUMERIC\n@DATA\n1\n", "arff"),
        ("x.csv", "\ufeff@relation r\n@attribute a numeric\n@data\n1\n", "arff"),
        ("x.csv", _parquet_bytes(), "parquet"),
        ("x", "only one column\nvalue\n", "csv"),
    ],
)
def test_formats_by_content(write_file, name, content, expected):
    assert sniff_format(write_file(name, content)) == expected


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b" \n\t\n", "empty_file"),
        (b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01.", "unsupported_format"),
        (b"\x80\x02}q\x00.", "unsupported_format"),
        (gzip.compress(b"a,b\n1,2\n"), "unsupported_format"),
        (b"  <!DOCTYPE html><html></html>", "unsupported_format"),
        (b"<html><body>a,b</body></html>", "unsupported_format"),
        (b'<?xml version="1.0"?><a/>', "unsupported_format"),
        (b"<svg xmlns='x'></svg>", "unsupported_format"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "unsupported_format"),
        (bytes(range(256)) * 4, "unsupported_format"),
        ("a,b\n1,2\n".encode("utf-16"), "undecodable_text"),
        ("a,b\n1,2\n".encode("utf-16-le"), "undecodable_text"),
        (b"a,b\n1,2\n3,\x004\n", "nul_bytes"),
        (_parquet_bytes()[:-20], "truncated_parquet"),
        (b"PAR1", "truncated_parquet"),
    ],
)
def test_refusals(write_file, content, code):
    with pytest.raises(DataFormatError) as caught:
        sniff_format(write_file("upload.csv", content))
    assert caught.value.code == code


def test_zip_named_csv_is_refused(write_file):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")
    with pytest.raises(DataFormatError, match="ZIP") as caught:
        sniff_format(write_file("data.csv", buffer.getvalue()))
    assert caught.value.code == "unsupported_format"


def test_nul_line_is_reported(write_file):
    with pytest.raises(DataFormatError) as caught:
        sniff_format(write_file("x.csv", b"a,b\n1,2\n3,4\n5,\x00\n"))
    assert caught.value.line == 4


def test_reads_only_head_and_tail(write_file):
    """A NUL far past the head is the CSV reader's job, not the sniffer's."""
    path = write_file("big.csv", b"a,b\n" + b"1,2\n" * 40_000 + b"\x00\n")
    assert sniff_format(path) == "csv"
