"""ingest_file: the composed pipeline gives what the separate calls give."""

from __future__ import annotations

import pytest

from tunebench.engine import (
    DataFormatError,
    describe_table,
    file_checksums,
    ingest_file,
    read_table,
)


def test_ingest_file_equals_the_separate_steps(write_file, tmp_path):
    path = write_file("x.csv", "id;label;x\n1;a;0.5\n2;b;\n3;a;1.5\n")
    result = ingest_file(path, tmp_path / "canonical.parquet", target="label", row_id="id")
    expected = describe_table(read_table(path), target="label", row_id="id")
    assert result.format == "csv"
    assert result.description.features == expected.features
    assert result.description.qualities == expected.qualities
    assert result.original == file_checksums(path)
    assert result.canonical == file_checksums(tmp_path / "canonical.parquet")
    assert describe_table(read_table(tmp_path / "canonical.parquet"), target="label").qualities == (
        expected.qualities
    )


def test_ingest_file_reports_bad_input(write_file, tmp_path):
    with pytest.raises(DataFormatError) as caught:
        ingest_file(write_file("x.csv", "a,b\n1,2\n"), tmp_path / "c.parquet", target="nope")
    assert caught.value.code == "unknown_column"
