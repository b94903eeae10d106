"""Tunebench's data engine: read, describe and write datasets, with no Django and no network.

The server's ingestion worker and the `tunebench` client both import this package, so a file
ingested on the server and a DataFrame described locally give identical features and qualities.
Data work uses numpy, pandas and pyarrow only; no uploaded byte is ever unpickled, evaluated or
imported.

    fmt = sniff_format(path)                       # by content: 'csv' | 'arff' | 'parquet'
    raw = read_table(path, fmt)                    # RawTable; bad input raises DataFormatError
    description = describe_table(raw, target="class")
    write_parquet(description.table, canonical_path)

or all of it in one call, checksums of the original included: `ingest_file(path, canonical_path)`.

Models come only from the estimator registry (scikit-learn, imported on first use): a
configuration names one of `list_estimators()`, `validate_parameters(name, params)` checks it
against that estimator's typed space, and `build_pipeline(name, params, seed=..., ...)` builds
the standard preprocessing + estimator pipeline from it.
"""

from tunebench.engine.describe import describe_dataframe, describe_table
from tunebench.engine.errors import CODES, DataFormatError
from tunebench.engine.frames import dataframe_to_table, table_to_dataframe
from tunebench.engine.ingest import Ingested, ingest_file
from tunebench.engine.metrics import (
    CLASSIFICATION_MEASURES,
    MEASURES,
    REGRESSION_MEASURES,
    FoldScores,
    Measure,
    aggregate_folds,
    classification_measures,
    evaluate_folds,
    regression_measures,
)
from tunebench.engine.model import DATA_TYPES, Checksums, Description, Feature, RawTable
from tunebench.engine.predictions import (
    PREDICTION_CODES,
    Predictions,
    PredictionsError,
    Problem,
    read_predictions,
    validate_predictions,
)
from tunebench.engine.qualities import QUALITY_NAMES
from tunebench.engine.readers import read_column_names, read_table
from tunebench.engine.registry import (
    ESTIMATORS,
    FORBIDDEN_PARAMETERS,
    PARAMETER_CODES,
    REVIEWED_SKLEARN_VERSION,
    Estimator,
    Forbidden,
    Hyperparameter,
    ParameterError,
    build_pipeline,
    get_estimator,
    list_estimators,
    validate_parameters,
)
from tunebench.engine.scoring import (
    SCORING_CODES,
    ScoringError,
    read_checked_predictions,
    score_predictions,
    target_values,
    write_checked_predictions,
)
from tunebench.engine.sniff import FORMATS, sniff_format
from tunebench.engine.splits import (
    PROCEDURES,
    Procedure,
    SplitError,
    Splits,
    check_procedure,
    generate_splits,
    get_procedure,
    read_splits_parquet,
    splits_table,
    write_splits_arff,
    write_splits_csv,
    write_splits_parquet,
)
from tunebench.engine.writers import file_checksums, write_arff, write_csv, write_parquet

__all__ = [
    "CLASSIFICATION_MEASURES",
    "CODES",
    "DATA_TYPES",
    "ESTIMATORS",
    "FORBIDDEN_PARAMETERS",
    "FORMATS",
    "MEASURES",
    "PARAMETER_CODES",
    "PREDICTION_CODES",
    "PROCEDURES",
    "QUALITY_NAMES",
    "REGRESSION_MEASURES",
    "REVIEWED_SKLEARN_VERSION",
    "SCORING_CODES",
    "Checksums",
    "DataFormatError",
    "Description",
    "Estimator",
    "Feature",
    "FoldScores",
    "Forbidden",
    "Hyperparameter",
    "Ingested",
    "Measure",
    "ParameterError",
    "Predictions",
    "PredictionsError",
    "Problem",
    "Procedure",
    "RawTable",
    "ScoringError",
    "SplitError",
    "Splits",
    "aggregate_folds",
    "build_pipeline",
    "check_procedure",
    "classification_measures",
    "dataframe_to_table",
    "describe_dataframe",
    "describe_table",
    "evaluate_folds",
    "file_checksums",
    "generate_splits",
    "get_estimator",
    "get_procedure",
    "ingest_file",
    "list_estimators",
    "read_checked_predictions",
    "read_column_names",
    "read_predictions",
    "read_splits_parquet",
    "read_table",
    "regression_measures",
    "score_predictions",
    "sniff_format",
    "splits_table",
    "table_to_dataframe",
    "target_values",
    "validate_parameters",
    "validate_predictions",
    "write_arff",
    "write_checked_predictions",
    "write_csv",
    "write_parquet",
    "write_splits_arff",
    "write_splits_csv",
    "write_splits_parquet",
]
