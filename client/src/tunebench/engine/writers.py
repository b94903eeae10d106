"""Writing the canonical table as Parquet, CSV or ARFF, and checksumming files.

Each writer writes to `path` directly (the server writes to a temporary path and renames) and
returns the file's checksums. Output is deterministic: the same table gives the same bytes, so
checksums identify content. Parquet is the canonical copy (snappy, the fastest common codec to
write and read; dictionary pages for categories and text; no pandas metadata). CSV is RFC 4180
with a header, text always quoted (pyarrow's "needed" style) and '' for missing. ARFF is dense,
written batch by batch from vectorised string columns: the whole file never exists as one Python
string.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from tunebench.engine.model import Checksums, Feature

CHUNK_BYTES = 1 << 20
BATCH_ROWS = 65_536
ARFF_DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ss"
# Values that must be quoted in ARFF: empty, '?', or containing a separator, quote, brace,
# comment sign, backslash or whitespace.
_ARFF_NEEDS_QUOTE = r"^$|^\?$|[\s,'\"%{}\\]"


def _digest(path: str | os.PathLike[str], algorithm: str) -> tuple[str, int]:
    digest = hashlib.new(algorithm, usedforsecurity=False)
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def file_checksums(path: str | os.PathLike[str]) -> Checksums:
    """md5, sha256 and size of a file, streamed in 1 MiB chunks.

    The two digests run in two threads (hashlib releases the GIL on large updates), each reading
    the file itself: the second read comes from the page cache, and md5, the slower, sets the pace.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        md5 = pool.submit(_digest, path, "md5")
        sha256, size = _digest(path, "sha256")
        md5_hex, _ = md5.result()
    return Checksums(md5=md5_hex, sha256=sha256, size=size)


def write_parquet(table: pa.Table, path: str | os.PathLike[str]) -> Checksums:
    """The canonical Parquet file: same table, same bytes."""
    pq.write_table(
        table.replace_schema_metadata(None),
        path,
        compression="snappy",
        row_group_size=1 << 20,
        # Dictionary pages pay off for categories and repeated text only; trying them on
        # high-cardinality numbers just costs the fallback.
        use_dictionary=[
            f.name
            for f in table.schema
            if pa.types.is_dictionary(f.type) or pa.types.is_string(f.type)
        ],
        write_statistics=True,
    )
    return file_checksums(path)


def _decoded_batches(table: pa.Table):
    """Record batches with nominal columns as plain text (CSV and ARFF write values, not codes)."""
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        columns = [
            pc.cast(column, pa.string()) if pa.types.is_dictionary(column.type) else column
            for column in batch.columns
        ]
        yield pa.record_batch(columns, names=table.column_names)


def write_csv(table: pa.Table, path: str | os.PathLike[str]) -> Checksums:
    """Header row, comma-separated, RFC 4180 quoting, '' for missing values."""
    schema = pa.schema(
        [
            pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type)
            for f in table.schema
        ]
    )
    options = pa_csv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")
    with pa_csv.CSVWriter(str(path), schema, write_options=options) as writer:
        for batch in _decoded_batches(table):
            writer.write_batch(batch)
    return file_checksums(path)


def arff_quote(value: str) -> str:
    """Quote an ARFF name or nominal value with ' when needed, escaping \\ and '."""
    if re.search(_ARFF_NEEDS_QUOTE, value):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return value


def _arff_type(feature: Feature, kind: pa.DataType) -> str:
    match feature.data_type:
        case "numeric":
            return "INTEGER" if pa.types.is_integer(kind) else "REAL"
        case "nominal":
            return "{" + ",".join(arff_quote(v) for v in feature.nominal_values or []) + "}"
        case "boolean":
            return "{false,true}"
        case "string":
            return "STRING"
        case _:
            return f'DATE "{ARFF_DATE_FORMAT}"'


def _arff_text(column: pa.Array, data_type: str, whole_seconds: bool) -> pa.Array:
    """One column of a batch as ARFF value text; missing is '?'."""
    if data_type == "datetime":
        if whole_seconds:
            column = pc.cast(column, pa.timestamp("s", tz="UTC"))
        text = pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
    elif data_type in ("nominal", "string"):
        escaped = pc.replace_substring(pc.replace_substring(column, "\\", "\\\\"), "'", "\\'")
        quoted = pc.binary_join_element_wise("'", escaped, "'", "")
        text = pc.if_else(pc.match_substring_regex(column, _ARFF_NEEDS_QUOTE), quoted, column)
    else:
        text = pc.cast(column, pa.string())
    return pc.fill_null(text, "?")


def write_arff(
    table: pa.Table,
    features: Sequence[Feature],
    path: str | os.PathLike[str],
    *,
    relation: str,
) -> Checksums:
    """Dense ARFF with the features' types; streamed batch by batch."""
    assert [f.name for f in features] == table.column_names, "features must match the columns"
    whole_seconds = {}
    for feature, column in zip(features, table.columns, strict=True):
        if feature.data_type == "datetime":
            micros = pc.cast(pc.cast(column, pa.timestamp("us", tz="UTC")), pa.int64())
            fraction = pc.subtract(micros, pc.multiply(pc.divide(micros, 1_000_000), 1_000_000))
            whole_seconds[feature.name] = bool(pc.all(pc.equal(fraction, 0)).as_py())
    with open(path, "wb") as handle:
        lines = [f"@RELATION {arff_quote(relation)}", ""]
        for feature, field in zip(features, table.schema, strict=True):
            lines.append(f"@ATTRIBUTE {arff_quote(feature.name)} {_arff_type(feature, field.type)}")
        lines += ["", "@DATA", ""]
        handle.write("\n".join(lines).encode("utf-8"))
        for batch in _decoded_batches(table):
            texts = [
                _arff_text(column, feature.data_type, whole_seconds.get(feature.name, True))
                for feature, column in zip(features, batch.columns, strict=True)
            ]
            rows = pc.binary_join_element_wise(*texts, ",")
            # Append the newline to every row, then write the string data buffer as it is.
            rows = pc.binary_join_element_wise(rows, "", "\n")
            offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)
            start, end = int(offsets[rows.offset]), int(offsets[rows.offset + len(rows)])
            handle.write(memoryview(rows.buffers()[2])[start:end])
    return file_checksums(path)
