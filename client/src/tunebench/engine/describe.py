"""Type inference, the canonical table, per-feature statistics; qualities come from `qualities`.

Inference, per column, from the Arrow type the reader produced:

- integers → numeric (int64; uint64 beyond int64's range → float64); floats and decimals → numeric
  float64, with NaN treated as missing (OpenML has one notion of missing); an all-missing column
  with no type (an empty CSV column) → numeric;
- booleans → boolean; dates and timestamps → datetime (UTC; naive values are taken as UTC);
- dictionary columns (pandas categoricals, Parquet dictionaries) and values the file declares
  (ARFF `{..}`) → nominal, categories in declared order;
- text → nominal when the column is the target (its values are the class labels), datetime when
  every value parses as ISO 8601 (an ARFF `string` attribute stays string), otherwise by
  cardinality: nominal when it has at most max(2, min(100, n / 2)) distinct values among its n
  non-missing values (labels and codes), string otherwise (free text, identifiers).

Canonical types: numeric int64 or float64, nominal dictionary<int32, string> (categories declared
or sorted), boolean bool, string string, datetime timestamp[us, UTC]. Numeric statistics are
computed from one sorted contiguous copy of the values with numpy (distinct count, extremes and
histogram fall out of the sort), so the same values give bit-identical results whatever file, row
order and chunk layout they came from. Columns are described in parallel threads; no per-row
Python runs outside error paths.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tunebench.engine.csvfile import check_names
from tunebench.engine.errors import DataFormatError
from tunebench.engine.model import Description, Feature, RawTable

NOMINAL_MAX_DISTINCT = 100
TOP_VALUES = 50
HISTOGRAM_BINS = 20
UTC = pa.timestamp("us", tz="UTC")
DICTIONARY = pa.dictionary(pa.int32(), pa.string())
_ISO_START = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
_INT64_MAX = np.iinfo(np.int64).max
_PREFIX_ROWS = 10_000


@dataclass(frozen=True)
class Moments:
    """Finite values of a numeric column, as commons-math's DescriptiveStatistics would see them."""

    count: int
    mean: float
    m2: float  # sum of squared deviations
    m3: float
    m4: float


@dataclass(frozen=True)
class ColumnSummary:
    feature: Feature
    column: pa.ChunkedArray
    moments: Moments | None  # numeric columns only
    codes: np.ndarray | None  # nominal/boolean: category index per row, -1 for missing


def describe_table(
    raw: RawTable | pa.Table,
    *,
    target: str | None = None,
    row_id: str | None = None,
    ignore: Sequence[str] = (),
) -> Description:
    """Infer types, build the canonical table, and compute features and qualities."""
    from tunebench.engine.qualities import compute_qualities

    if isinstance(raw, pa.Table):
        raw = raw_from_table(raw)
    table = raw.table
    names = table.column_names
    check_names(names, line=None)
    for role, name in [("target", target), ("row_id", row_id), *(("ignore", n) for n in ignore)]:
        if name is not None and name not in names:
            raise DataFormatError(
                f"The {role} column {name!r} does not exist; the columns are "
                f"{', '.join(map(repr, names[:20]))}{', ...' if len(names) > 20 else ''}.",
                code="unknown_column",
                column=name,
            )
    ignored = set(ignore)

    def summarise(index: int) -> ColumnSummary:
        name = names[index]
        return _summarise(
            index,
            name,
            table.column(index),
            declared=raw.nominal_values.get(name),
            is_declared_string=name in raw.string_columns,
            is_target=name == target,
            is_row_id=name == row_id,
            is_ignored=name in ignored,
        )

    # Columns are independent, and Arrow kernels and numpy sorts release the GIL: describe them
    # on all cores. Results are identical to a serial run (each column is computed alone).
    workers = min(os.cpu_count() or 1, 8, max(1, len(names)))
    if workers > 1 and table.num_rows * len(names) > 100_000:
        # Text columns (hashing) take longest: start them first so no core idles at the end.
        order = sorted(range(len(names)), key=lambda i: not _is_text(table.schema.field(i).type))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            done = dict(zip(order, pool.map(summarise, order), strict=True))
        summaries = [done[index] for index in range(len(names))]
    else:
        summaries = [summarise(index) for index in range(len(names))]
    if row_id is not None:
        summaries[names.index(row_id)] = _check_row_id(summaries[names.index(row_id)])
    canonical = pa.table([s.column for s in summaries], names=names)
    features = [s.feature for s in summaries]
    qualities = compute_qualities(summaries, num_rows=table.num_rows, target=target)
    return Description(features=features, qualities=qualities, table=canonical)


def describe_dataframe(
    df: pd.DataFrame,
    *,
    target: str | None = None,
    row_id: str | None = None,
    ignore: Sequence[str] = (),
) -> Description:
    """Describe a DataFrame exactly as the server describes the same frame saved as Parquet."""
    from tunebench.engine.frames import dataframe_to_table

    return describe_table(
        raw_from_table(dataframe_to_table(df)), target=target, row_id=row_id, ignore=ignore
    )


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def raw_from_table(table: pa.Table) -> RawTable:
    """Wrap an in-memory table; dictionary columns declare their categories, as in Parquet."""
    nominal = {}
    if any(pa.types.is_dictionary(f.type) for f in table.schema):
        table = table.unify_dictionaries()
        for name, column in zip(table.column_names, table.columns, strict=True):
            if pa.types.is_dictionary(column.type):
                nominal[name] = dictionary_categories(column)
    return RawTable(table=table, format="table", nominal_values=nominal)


# -- per column ---------------------------------------------------------------------------------


def _summarise(
    index: int,
    name: str,
    column: pa.ChunkedArray,
    *,
    declared: list[str] | None,
    is_declared_string: bool,
    is_target: bool,
    is_row_id: bool,
    is_ignored: bool,
) -> ColumnSummary:
    kind, canonical, categories = _canonicalise(
        name, column, declared=declared, is_declared_string=is_declared_string, is_target=is_target
    )
    moments = None
    codes = None
    missing = canonical.null_count
    if kind == "numeric":
        stats, distinct, moments = _numeric_stats(canonical)
    elif kind == "nominal":
        assert categories is not None
        stats, distinct, codes = _nominal_stats(canonical, categories)
    elif kind == "boolean":
        stats, distinct, codes = _boolean_stats(canonical)
    elif kind == "string":
        stats, distinct = _string_stats(canonical)
    else:
        stats, distinct = _datetime_stats(canonical)
    feature = Feature(
        index=index,
        name=name,
        data_type=kind,
        nominal_values=categories if kind == "nominal" else None,
        missing_count=int(missing),
        distinct_count=int(distinct),
        is_target=is_target,
        is_row_id=is_row_id,
        is_ignored=is_ignored,
        stats=stats,
    )
    return ColumnSummary(feature, canonical, moments, codes)


def _canonicalise(
    name: str,
    column: pa.ChunkedArray,
    *,
    declared: list[str] | None,
    is_declared_string: bool,
    is_target: bool,
) -> tuple[str, pa.ChunkedArray, list[str] | None]:
    kind = column.type
    if pa.types.is_null(kind):
        return "numeric", pc.cast(column, pa.float64()), None
    if pa.types.is_dictionary(kind):
        values = _decode_dictionary(column)
        categories = declared if declared is not None else dictionary_categories(column)
        return "nominal", _encode(values, categories, name), categories
    if pa.types.is_boolean(kind):
        return "boolean", column, None
    if pa.types.is_integer(kind):
        if kind == pa.uint64() and column.length() and (pc.max(column).as_py() or 0) > _INT64_MAX:
            return "numeric", pc.cast(column, pa.float64(), safe=False), None
        return "numeric", pc.cast(column, pa.int64()), None
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        floats = pc.cast(column, pa.float64())
        if pc.any(pc.is_nan(floats)).as_py():
            floats = pc.if_else(pc.is_nan(floats), pa.scalar(None, pa.float64()), floats)
        return "numeric", floats, None
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return "datetime", _to_utc(column), None
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        try:
            column = pc.cast(column, pa.string())
        except pa.ArrowInvalid:
            raise DataFormatError(
                f"Column {name!r} holds binary data, not text.",
                code="unsupported_type",
                column=name,
            ) from None
        kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return _infer_text(
            name, pc.cast(column, pa.string()), declared, is_declared_string, is_target
        )
    raise DataFormatError(
        f"Column {name!r} has the type {kind}, which Tunebench cannot describe (supported: "
        "numbers, booleans, text, categories, dates and timestamps).",
        code="unsupported_type",
        column=name,
    )


def _decode_dictionary(column: pa.ChunkedArray) -> pa.ChunkedArray:
    # Categories of any type (pandas Categorical of ints) become text, rendered by Arrow's cast.
    return pc.cast(pc.cast(column, column.type.value_type), pa.string())


def dictionary_categories(column: pa.ChunkedArray) -> list[str]:
    """A dictionary column's categories as text, in dictionary order, without duplicates."""
    if not column.num_chunks:
        return []
    dictionary = column.unify_dictionaries().chunk(0).dictionary
    values = pc.cast(dictionary, pa.string()).to_pylist()
    return list(dict.fromkeys(v for v in values if v is not None))


def _to_utc(column: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.type
    if pa.types.is_date(kind):
        return pc.cast(pc.cast(column, pa.timestamp("us")), UTC)
    if kind.tz is None:
        column = pc.cast(column, pa.timestamp(kind.unit))
    # Nanoseconds are truncated to microseconds: the canonical resolution.
    return pc.cast(column, UTC, safe=False)


def _infer_text(
    name: str,
    column: pa.ChunkedArray,
    declared: list[str] | None,
    is_declared_string: bool,
    is_target: bool,
) -> tuple[str, pa.ChunkedArray, list[str] | None]:
    if declared is not None:
        return "nominal", _encode(column, declared, name), declared
    if is_target:
        return _sorted_nominal(_dictionary_encode(column))
    if is_declared_string:
        return "string", column, None
    as_datetime = _try_datetime(column)
    if as_datetime is not None:
        return "datetime", as_datetime, None
    # A prefix with more distinct values than any threshold settles it without hashing it all.
    prefix = column.slice(0, _PREFIX_ROWS)
    if len(column) > 2 * _PREFIX_ROWS and pc.count_distinct(prefix).as_py() > NOMINAL_MAX_DISTINCT:
        return "string", column, None
    present = len(column) - column.null_count
    encoded = _dictionary_encode(column)  # the one hashing pass: counts distinct and encodes
    if len(encoded.dictionary) <= max(2, min(NOMINAL_MAX_DISTINCT, present / 2)):
        return _sorted_nominal(encoded)
    return "string", column, None


def _try_datetime(column: pa.ChunkedArray) -> pa.ChunkedArray | None:
    valid = column.drop_null()
    if not len(valid) or not _ISO_START.match(valid[0].as_py()):
        return None
    for kind in (pa.timestamp("us"), UTC):
        try:
            return _to_utc(pc.cast(column, kind))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return None


def _dictionary_encode(column: pa.ChunkedArray) -> pa.DictionaryArray:
    """One dictionary for the whole column (nulls stay null, not a category)."""
    if not column.num_chunks:
        column = pa.chunked_array([pa.array([], pa.string())])
    return pc.dictionary_encode(column.combine_chunks())


def _sorted_nominal(encoded: pa.DictionaryArray) -> tuple[str, pa.ChunkedArray, list[str]]:
    """Sort the (small) dictionary and remap the indices: categories in sorted order."""
    dictionary = encoded.dictionary
    order = pc.array_sort_indices(dictionary).to_numpy()
    inverse = np.empty(len(order), dtype=np.int32)
    inverse[order] = np.arange(len(order), dtype=np.int32)
    indices = pc.take(pa.array(inverse), encoded.indices)
    categories = dictionary.take(pa.array(order, pa.int64())).to_pylist()
    array = pa.DictionaryArray.from_arrays(
        pc.cast(indices, pa.int32()), pa.array(categories, pa.string())
    )
    return "nominal", pa.chunked_array([array], DICTIONARY), categories


def _encode(values: pa.ChunkedArray, categories: list[str], name: str) -> pa.ChunkedArray:
    value_set = pa.array(categories, pa.string())
    indices = pc.index_in(values, value_set=value_set)
    unknown = pc.and_(pc.is_valid(values), pc.is_null(indices))
    if pc.any(unknown).as_py():
        row = pc.index(unknown, True).as_py()
        raise DataFormatError(
            f"The value {values[row].as_py()!r} in row {row + 1} is not one of the declared "
            f"categories of column {name!r}.",
            code="value_not_in_nominal_set",
            column=name,
        )
    chunks = [
        pa.DictionaryArray.from_arrays(pc.cast(chunk, pa.int32()), value_set)
        for chunk in indices.chunks
    ]
    return pa.chunked_array(chunks, DICTIONARY)


def _check_row_id(summary: ColumnSummary) -> ColumnSummary:
    name = summary.feature.name
    column = summary.column
    if summary.feature.data_type != "numeric":
        raise DataFormatError(
            f"The row-id column {name!r} must hold integers.", code="invalid_row_id", column=name
        )
    if column.null_count:
        raise DataFormatError(
            f"The row-id column {name!r} has {column.null_count} missing values.",
            code="invalid_row_id",
            column=name,
        )
    if column.type == pa.float64():
        try:
            column = pc.cast(column, pa.int64())  # safe cast: fails on fractions
        except pa.ArrowInvalid:
            raise DataFormatError(
                f"The row-id column {name!r} holds non-integer values.",
                code="invalid_row_id",
                column=name,
            ) from None
    if pc.count_distinct(column).as_py() != len(column):
        raise DataFormatError(
            f"The row-id column {name!r} has duplicate values; row ids must be unique.",
            code="invalid_row_id",
            column=name,
        )
    return ColumnSummary(summary.feature, column, summary.moments, summary.codes)


# -- statistics ---------------------------------------------------------------------------------


def _finite_or_none(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _numeric_values(column: pa.ChunkedArray) -> np.ndarray:
    """The non-missing values as one contiguous numpy array (ints stay ints)."""
    if column.type == pa.float64():
        values = column.to_numpy()  # missing → NaN, in one copy
        return values[~np.isnan(values)] if column.null_count else values
    present = column.drop_null() if column.null_count else column
    return present.to_numpy()


def _numeric_stats(column: pa.ChunkedArray) -> tuple[dict[str, Any], int, Moments | None]:
    raw = np.sort(_numeric_values(column))  # numpy's vectorised sort: ~15 ms per million
    if not len(raw):
        empty = {"min": None, "max": None, "mean": None, "std": None}
        return {**empty, "histogram": {"edges": [], "counts": []}}, 0, None
    # Sorted values give distinct count, extremes and histogram without hashing.
    distinct = 1 + int(np.count_nonzero(raw[1:] != raw[:-1]))
    values = raw.astype(np.float64, copy=False)
    finite = (
        values
        if np.isfinite(values[0]) and np.isfinite(values[-1])
        else values[np.isfinite(values)]
    )
    if column.type == pa.int64():
        low, high = int(raw[0]), int(raw[-1])
    else:
        low, high = _finite_or_none(values[0]), _finite_or_none(values[-1])
    # Moments are summed over the sorted values: the same values give bit-identical qualities
    # whatever their order and chunking in the file they came from.
    moments = _moments(finite) if len(finite) else None
    mean = moments.mean if moments else None
    std = None
    if moments:
        std = 0.0 if moments.count == 1 else math.sqrt(moments.m2 / (moments.count - 1))
    stats = {
        "min": low,
        "max": high,
        "mean": _finite_or_none(mean) if mean is not None else None,
        "std": _finite_or_none(std) if std is not None else None,
        "histogram": _histogram(finite),
    }
    return stats, distinct, moments


def _moments(values: np.ndarray) -> Moments:
    # Values near the float64 limit overflow to infinity here; qualities then drop them, as
    # commons-math's non-finite results are dropped. No warning: it is data, not a bug.
    with np.errstate(over="ignore", invalid="ignore"):
        mean = float(np.mean(values))
        deviations = values - mean
        squared = deviations * deviations
        return Moments(
            count=len(values),
            mean=mean,
            m2=float(np.sum(squared)),
            m3=float(np.sum(squared * deviations)),
            m4=float(np.sum(squared * squared)),
        )


def _histogram(ordered: np.ndarray) -> dict[str, list]:
    """Equal-width bins over sorted finite values; the last bin includes the maximum."""
    if not len(ordered):
        return {"edges": [], "counts": []}
    low, high = float(ordered[0]), float(ordered[-1])
    with np.errstate(over="ignore"):
        span = high - low
    if low == high or not math.isfinite(span):  # one value, or a range beyond float64
        return {"edges": [low, high], "counts": [len(ordered)]}
    edges = np.linspace(low, high, HISTOGRAM_BINS + 1)
    bounds = np.concatenate(
        ([0], np.searchsorted(ordered, edges[1:-1], side="left"), [len(ordered)])
    )
    counts = np.diff(bounds)
    return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]}


def _codes(column: pa.ChunkedArray) -> np.ndarray:
    chunks = [pc.fill_null(chunk.indices, -1) for chunk in column.chunks]
    if not chunks:
        return np.empty(0, dtype=np.int64)
    return np.concatenate([c.to_numpy().astype(np.int64, copy=False) for c in chunks])


def _nominal_stats(
    column: pa.ChunkedArray, categories: list[str]
) -> tuple[dict[str, Any], int, np.ndarray]:
    codes = _codes(column)
    counts = np.bincount(codes[codes >= 0], minlength=len(categories))
    # Highest count first; ties keep category order (a stable sort on the negated counts).
    order = np.argsort(-counts, kind="stable")
    top = [[categories[i], int(counts[i])] for i in order[:TOP_VALUES] if counts[i] > 0]
    return {"value_counts": top}, int(np.count_nonzero(counts)), codes


def _boolean_stats(column: pa.ChunkedArray) -> tuple[dict[str, Any], int, np.ndarray]:
    present = len(column) - column.null_count
    true = int(pc.sum(column).as_py() or 0)
    false = present - true
    pairs = sorted([[False, false], [True, true]], key=lambda pair: -pair[1])
    top = [pair for pair in pairs if pair[1] > 0]
    codes = pc.fill_null(pc.cast(column, pa.int64()), -1).to_numpy()
    return {"value_counts": top}, len(top), codes


def _string_stats(column: pa.ChunkedArray) -> tuple[dict[str, Any], int]:
    counted = pc.value_counts(column.drop_null())
    values, counts = counted.field("values"), counted.field("counts")
    distinct = len(counted)
    if distinct == 0:
        return {"value_counts": []}, 0
    # Top 50 by count, ties by value, without sorting every distinct value: find the 50th
    # count, keep everything above it and the alphabetically first of the tied ones.
    table = pa.table({"values": values, "counts": counts})
    if distinct > TOP_VALUES:
        threshold_rows = pc.select_k_unstable(
            table, k=TOP_VALUES, sort_keys=[("counts", "descending")]
        )
        threshold = pc.min(pc.take(counts, threshold_rows)).as_py()
        above = table.filter(pc.greater(counts, threshold))
        tied = table.filter(pc.equal(counts, threshold))
        slots = TOP_VALUES - above.num_rows
        tied = tied.take(pc.select_k_unstable(tied, k=slots, sort_keys=[("values", "ascending")]))
        table = pa.concat_tables([above, tied])
    pairs = sorted(
        zip(table["values"].to_pylist(), table["counts"].to_pylist(), strict=True),
        key=lambda pair: (-pair[1], pair[0]),
    )
    return {"value_counts": [[v, int(c)] for v, c in pairs]}, distinct


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def _datetime_stats(column: pa.ChunkedArray) -> tuple[dict[str, Any], int]:
    present = column.drop_null()
    if not len(present):
        return {"min": None, "max": None}, 0
    extremes = pc.min_max(present)
    try:
        low, high = _iso(extremes["min"].as_py()), _iso(extremes["max"].as_py())
    except (ValueError, OverflowError):  # beyond Python's datetime range (year > 9999)
        low = high = None
    return {"min": low, "max": high}, pc.count_distinct(present).as_py()
