"""Parquet reading: check the footer's metadata before reading a single data page.

The column and row counts come from the footer, so an oversized file is refused without decoding
it, and nested columns (list, struct, map, union) are refused by schema: a benchmark table is flat.
Dictionary-encoded columns keep their dictionary, in order, as the declared nominal values (pandas
categoricals arrive this way). Columns pandas wrote for a non-default index (`__index_level_0__`)
are dropped: they are an artefact of `DataFrame.to_parquet`, not data.
"""

from __future__ import annotations

import json
import os

import pyarrow as pa
import pyarrow.parquet as pq

from tunebench.engine.csvfile import check_names
from tunebench.engine.describe import dictionary_categories
from tunebench.engine.errors import DataFormatError
from tunebench.engine.model import RawTable


def _open(path: str | os.PathLike[str]) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise DataFormatError(
            f"The Parquet file is incomplete or damaged ({str(exc)[:200]}); upload the complete "
            "file.",
            code="truncated_parquet",
        ) from None


def _pandas_index_columns(schema: pa.Schema) -> set[str]:
    metadata = schema.metadata or {}
    try:
        pandas = json.loads(metadata.get(b"pandas", b"{}"))
        return {c for c in pandas.get("index_columns", []) if isinstance(c, str)}
    except (ValueError, AttributeError):
        return set()


def _check_schema(schema: pa.Schema, *, max_columns: int) -> list[str]:
    if len(schema) > max_columns:
        raise DataFormatError(
            f"The file has {len(schema):,} columns; at most {max_columns:,} are accepted.",
            code="too_many_columns",
        )
    for field in schema:
        if pa.types.is_nested(field.type):
            raise DataFormatError(
                f"Column {field.name!r} is nested ({field.type}); only flat columns of numbers, "
                "text, booleans, dates and categories are accepted.",
                code="nested_column",
                column=field.name,
            )
    drop = _pandas_index_columns(schema)
    names = [f.name for f in schema if f.name not in drop]
    check_names(names, line=None)
    return names


def read_parquet_column_names(path: str | os.PathLike[str], *, max_columns: int) -> list[str]:
    """The schema's column names, checked without reading data."""
    return _check_schema(_open(path).schema_arrow, max_columns=max_columns)


def read_parquet_table(
    path: str | os.PathLike[str], *, max_columns: int, max_rows: int | None
) -> RawTable:
    """Read a flat Parquet file after checking its footer."""
    parquet = _open(path)
    names = _check_schema(parquet.schema_arrow, max_columns=max_columns)
    rows = parquet.metadata.num_rows
    if max_rows is not None and rows > max_rows:
        raise DataFormatError(
            f"The file has {rows:,} rows; at most {max_rows:,} are accepted.",
            code="too_many_rows",
        )
    try:
        table = parquet.read(columns=names, use_pandas_metadata=False)
    except (pa.ArrowException, OSError) as exc:
        raise DataFormatError(
            f"The Parquet file is damaged ({str(exc)[:200]}); upload the complete file.",
            code="truncated_parquet",
        ) from None
    if table.num_rows == 0:
        raise DataFormatError("The file has no rows.", code="no_rows")
    table = table.replace_schema_metadata(None)
    nominal: dict[str, list[str]] = {}
    if any(pa.types.is_dictionary(f.type) for f in table.schema):
        # Row groups may carry different dictionaries; unify so each column has one value order.
        table = table.unify_dictionaries()
        for name, column in zip(table.column_names, table.columns, strict=True):
            if pa.types.is_dictionary(column.type):
                nominal[name] = dictionary_categories(column)
    return RawTable(table=table, format="parquet", nominal_values=nominal)
