"""The one error the engine raises for bad input: `DataFormatError`, with a stable code.

Everything the engine can reject (a pickle named `.csv`, a ragged row, a value outside an ARFF
nominal set, a target that does not exist) becomes a `DataFormatError` whose `code` is a
snake_case constant the server maps to a 4xx or an error status, and whose message a person can
act on. `line` is the 1-based line of the original file and `column` the column name, when the
engine can tell; `str()` appends them, so callers that only show the message still show where.
Any other exception escaping the engine is a bug, and the property tests feed it random bytes to
keep it that way.
"""

from __future__ import annotations

from typing import Any

# The codes, listed once so tests and the server can check they only ever see known ones.
CODES = frozenset(
    {
        "unsupported_format",
        "empty_file",
        "no_rows",
        "ragged_rows",
        "unterminated_quote",
        "undecodable_text",
        "nul_bytes",
        "duplicate_column",
        "empty_column_name",
        "too_many_columns",
        "too_many_rows",
        "invalid_csv",
        "invalid_arff",
        "unknown_arff_type",
        "value_not_in_nominal_set",
        "sparse_index_out_of_range",
        "truncated_parquet",
        "nested_column",
        "unsupported_type",
        "unknown_column",
        "invalid_row_id",
    }
)


class DataFormatError(ValueError):
    """The input cannot be read or described; `code` says why, `line`/`column` say where."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        assert code in CODES, f"unknown DataFormatError code {code!r}: add it to CODES"
        super().__init__(message)
        self.message = message
        self.code = code
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{self.message} ({', '.join(where)})" if where else self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments do not survive the default exception pickling that Celery's
        # result backend or multiprocessing may apply; rebuild through a helper instead.
        return (_rebuild, (self.message, self.code, self.line, self.column))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the server stores on a failed dataset and the API returns."""
        return {"code": self.code, "message": str(self), "line": self.line, "column": self.column}


def _rebuild(message: str, code: str, line: int | None, column: str | None) -> DataFormatError:
    return DataFormatError(message, code=code, line=line, column=column)
