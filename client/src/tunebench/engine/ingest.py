"""`ingest_file`: the whole ingestion of one uploaded file, as the server's worker runs it.

sniff → read_table → describe_table → write_parquet, plus the checksums of the original file.
The checksums need only the bytes, so they are computed in a background thread while the file is
parsed and described (md5 is single-threaded and would otherwise add ~0.3 s per 200 MB at the
end). Using this function is optional: it composes the public functions and adds nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from tunebench.engine.describe import describe_table
from tunebench.engine.model import Checksums, Description
from tunebench.engine.readers import DEFAULT_MAX_COLUMNS, read_table
from tunebench.engine.sniff import sniff_format
from tunebench.engine.writers import file_checksums, write_parquet


@dataclass(frozen=True)
class Ingested:
    format: str  # as read_table reports it: 'csv' | 'arff' | 'sparse_arff' | 'parquet'
    description: Description
    original: Checksums
    canonical: Checksums


def ingest_file(
    path: str | os.PathLike[str],
    canonical_path: str | os.PathLike[str],
    *,
    target: str | None = None,
    row_id: str | None = None,
    ignore: Sequence[str] = (),
    max_columns: int = DEFAULT_MAX_COLUMNS,
    max_rows: int | None = None,
) -> Ingested:
    """Parse, describe and write the canonical Parquet file; `DataFormatError` on bad input."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        original = pool.submit(file_checksums, path)
        raw = read_table(path, sniff_format(path), max_columns=max_columns, max_rows=max_rows)
        description = describe_table(raw, target=target, row_id=row_id, ignore=ignore)
        canonical = write_parquet(description.table, canonical_path)
        return Ingested(raw.format, description, original.result(), canonical)
