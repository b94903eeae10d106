"""Tunebench's data engine: read, describe and write datasets, with no Django and no network.

The server's ingestion worker and the `tunebench` client both import this package, so a file
ingested on the server and a DataFrame described locally give identical features and qualities.
Only numpy, pandas and pyarrow are used; no uploaded byte is ever unpickled, evaluated or imported.

    fmt = sniff_format(path)                       # by content: 'csv' | 'arff' | 'parquet'
    raw = read_table(path, fmt)                    # RawTable; bad input raises DataFormatError
    description = describe_table(raw, target="class")
    write_parquet(description.table, canonical_path)

or all of it in one call, checksums of the original included: `ingest_file(path, canonical_path)`.
"""

from tunebench.engine.describe import describe_dataframe, describe_table
from tunebench.engine.errors import CODES, DataFormatError
from tunebench.engine.frames import dataframe_to_table, table_to_dataframe
from tunebench.engine.ingest import Ingested, ingest_file
from tunebench.engine.model import DATA_TYPES, Checksums, Description, Feature, RawTable
from tunebench.engine.qualities import QUALITY_NAMES
from tunebench.engine.readers import read_column_names, read_table
from tunebench.engine.sniff import FORMATS, sniff_format
from tunebench.engine.writers import file_checksums, write_arff, write_csv, write_parquet

__all__ = [
    "CODES",
    "DATA_TYPES",
    "FORMATS",
    "QUALITY_NAMES",
    "Checksums",
    "DataFormatError",
    "Description",
    "Feature",
    "Ingested",
    "RawTable",
    "dataframe_to_table",
    "describe_dataframe",
    "describe_table",
    "file_checksums",
    "ingest_file",
    "read_column_names",
    "read_table",
    "sniff_format",
    "table_to_dataframe",
    "write_arff",
    "write_csv",
    "write_parquet",
]
