"""`read_table` and `read_column_names`: one entry point per question, whatever the format.

The format is sniffed from content unless the caller already knows it (the server sniffs once at
upload and passes the answer to the worker). Limits are arguments, not settings, so the engine stays
free of configuration and the server decides them.
"""

from __future__ import annotations

import os

from tunebench.engine.arff import read_arff_column_names, read_arff_table
from tunebench.engine.csvfile import read_csv_column_names, read_csv_table
from tunebench.engine.model import RawTable
from tunebench.engine.parquetfile import read_parquet_column_names, read_parquet_table
from tunebench.engine.sniff import FORMATS, sniff_format

DEFAULT_MAX_COLUMNS = 10_000


def _format(path: str | os.PathLike[str], format: str | None) -> str:
    if format is None:
        return sniff_format(path)
    assert format in FORMATS, f"format must be one of {FORMATS}, got {format!r}"
    return format


def read_column_names(
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    max_columns: int = DEFAULT_MAX_COLUMNS,
) -> list[str]:
    """Column names from the header alone; header-level problems raise `DataFormatError`."""
    match _format(path, format):
        case "csv":
            return read_csv_column_names(path, max_columns=max_columns)
        case "arff":
            return read_arff_column_names(path, max_columns=max_columns)
        case _:
            return read_parquet_column_names(path, max_columns=max_columns)


def read_table(
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    max_columns: int = DEFAULT_MAX_COLUMNS,
    max_rows: int | None = None,
) -> RawTable:
    """Parse the whole file into a `RawTable`; every rejection is a `DataFormatError`."""
    match _format(path, format):
        case "csv":
            return read_csv_table(path, max_columns=max_columns, max_rows=max_rows)
        case "arff":
            return read_arff_table(path, max_columns=max_columns, max_rows=max_rows)
        case _:
            return read_parquet_table(path, max_columns=max_columns, max_rows=max_rows)
