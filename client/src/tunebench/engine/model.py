"""The engine's value types: what a reader returns, what describing returns, and checksums.

All are frozen dataclasses holding plain data (a pyarrow Table, lists, dicts of JSON-ready values),
so the server can store them and the client can show them without importing anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

DATA_TYPES = ("numeric", "nominal", "boolean", "string", "datetime")


@dataclass(frozen=True)
class RawTable:
    """A parsed file before type inference.

    `nominal_values` holds the value sets the file declares (ARFF `{..}`, Parquet dictionaries),
    in declared order. `string_columns` names columns the file declares as free text (ARFF
    `string`); describing keeps those `string` instead of inferring nominal from their values.
    """

    table: pa.Table
    format: str  # 'csv' | 'arff' | 'sparse_arff' | 'parquet'
    nominal_values: dict[str, list[str]] = field(default_factory=dict)
    string_columns: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Feature:
    """One column as OpenML describes it, plus summary statistics for display."""

    index: int
    name: str
    data_type: str  # one of DATA_TYPES
    nominal_values: list[str] | None
    missing_count: int
    distinct_count: int
    is_target: bool
    is_row_id: bool
    is_ignored: bool
    stats: dict[str, Any]


@dataclass(frozen=True)
class Description:
    """Features, OpenML qualities and the canonical table they were computed from."""

    features: list[Feature]
    qualities: dict[str, float | None]
    table: pa.Table


@dataclass(frozen=True)
class Checksums:
    md5: str
    sha256: str
    size: int
