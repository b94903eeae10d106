"""pandas ↔ Arrow at the engine's edge: what a DataFrame means as a table, and back.

`dataframe_to_table` is the conversion `DataFrame.to_parquet` applies (pyarrow's `from_pandas`,
index dropped), so describing a frame and describing that frame's Parquet file agree: categoricals
become dictionaries (nominal, categories in order), NaN becomes missing, nullable dtypes keep their
missing values. `table_to_dataframe` maps the canonical types back: nominal → Categorical with all
its categories, int64 → int64 (Int64 when missing), bool → bool (boolean when missing), datetime →
datetime64[us, UTC].
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from tunebench.engine.errors import DataFormatError


def dataframe_to_table(df: pd.DataFrame) -> pa.Table:
    """Convert as `to_parquet` would; a column Arrow cannot type raises `DataFormatError`."""
    names = [str(name) for name in df.columns]
    arrays = []
    for position, name in enumerate(names):
        series = df.iloc[:, position]
        try:
            arrays.append(pa.Array.from_pandas(series))
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            raise DataFormatError(
                f"Column {name!r} mixes value types Arrow cannot store together ({exc}); convert "
                "it to one type first (e.g. .astype(str)).",
                code="unsupported_type",
                column=name,
            ) from None
    return pa.table(arrays, names=names)


def table_to_dataframe(table: pa.Table) -> pd.DataFrame:
    """The canonical table as pandas, with nullable dtypes only where values are missing."""
    data = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if pa.types.is_integer(kind) and column.null_count:
            series = column.to_pandas(types_mapper={kind: pd.Int64Dtype()}.get)
        elif pa.types.is_boolean(kind) and column.null_count:
            series = column.to_pandas(types_mapper={kind: pd.BooleanDtype()}.get)
        else:
            series = column.to_pandas()
        data[name] = series
    return pd.DataFrame(data, columns=table.column_names)
