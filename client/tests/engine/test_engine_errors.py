"""DataFormatError: codes, the location suffix, and the JSON shape the server stores."""

from __future__ import annotations

import copy

import pytest

from tunebench.engine import CODES, DataFormatError


def test_str_appends_line_and_column():
    """A person reading only str(exc) still learns where the problem is."""
    error = DataFormatError("Bad value.", code="ragged_rows", line=3, column="age")
    assert str(error) == "Bad value. (line 3, column 'age')"
    assert str(DataFormatError("Empty.", code="empty_file")) == "Empty."


def test_to_dict_is_the_stored_shape():
    error = DataFormatError("Bad.", code="nul_bytes", line=2)
    assert error.to_dict() == {
        "code": "nul_bytes",
        "message": "Bad. (line 2)",
        "line": 2,
        "column": None,
    }


def test_is_a_value_error_and_survives_copying():
    """Celery and multiprocessing rebuild exceptions through __reduce__."""
    error = DataFormatError("Bad.", code="invalid_csv", line=1, column="x")
    clone = copy.deepcopy(error)
    assert isinstance(clone, ValueError)
    assert (clone.code, clone.line, clone.column, str(clone)) == ("invalid_csv", 1, "x", str(error))


def test_unknown_code_is_a_programming_error():
    with pytest.raises(AssertionError, match="unknown DataFormatError code"):
        DataFormatError("x", code="no_such_code")


def test_contract_codes_are_known():
    contract = {
        "unsupported_format", "empty_file", "no_rows", "ragged_rows", "unterminated_quote",
        "undecodable_text", "nul_bytes", "duplicate_column", "empty_column_name",
        "too_many_columns", "invalid_arff", "unknown_arff_type", "value_not_in_nominal_set",
        "sparse_index_out_of_range", "truncated_parquet", "nested_column", "too_many_rows",
        "unknown_column", "invalid_row_id",
    }  # fmt: skip
    assert contract <= CODES
