"""Execute a registry configuration on a task's splits.

This is the one function a Tunebench worker calls inside its sandbox and that
`tunebench.run_estimator_on_task` calls on a laptop, so a server run can be reproduced byte for
byte with the same libraries: the features are prepared the same way, the pipeline is the
registry's (`build_pipeline`: impute, scale, one-hot, then the estimator with
`random_state=seed`), numpy's global generator is seeded with the seed, and every fold is fitted
by `fit_predict_folds`.

    X = prepare_features(frame_without_target)
    y = task_target(target_column, task_type=1, class_labels=[...])
    predictions, timings = execute_configuration(
        "sklearn.ensemble.RandomForestClassifier", {"max_depth": 8}, seed=0,
        X=X, y=y, splits=splits, task_type=1, class_labels=[...],
    )
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from tunebench.engine.folds import fit_predict_folds
from tunebench.engine.metrics import CLASSIFICATION
from tunebench.engine.registry import build_pipeline
from tunebench.engine.scoring import target_values
from tunebench.engine.splits import Splits


def feature_columns(X: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """`(nominal, numeric, dropped)` column names of a feature frame.

    Categorical, text and boolean columns are nominal (one-hot encoded); numbers are numeric
    (imputed and scaled); dates and anything else are dropped, as the registry's pipeline has
    no step for them.
    """
    nominal, numeric, dropped = [], [], []
    for name in X.columns:
        dtype = X[name].dtype
        if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype):
            nominal.append(name)
        elif pd.api.types.is_numeric_dtype(dtype):
            numeric.append(name)
        elif pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            nominal.append(name)
        else:
            dropped.append(name)
    return nominal, numeric, dropped


def prepare_features(X: pd.DataFrame) -> pd.DataFrame:
    """The feature frame as the pipeline takes it: numbers as float64 with NaN for missing,
    nominal values as text (object) with NaN for missing, dropped columns left out. Column
    names become text."""
    nominal, numeric, _ = feature_columns(X)
    data: dict[str, Any] = {}
    for name in X.columns:
        series = X[name]
        if name in numeric:
            data[str(name)] = pd.to_numeric(series).astype("float64").to_numpy()
        elif name in nominal:
            missing = series.isna().to_numpy()
            text = np.array([str(value) for value in series.astype(object)], dtype=object)
            text[missing] = np.nan
            data[str(name)] = text
    return pd.DataFrame(data, index=X.index)


def task_target(
    column: pa.Array | pa.ChunkedArray | pd.Series,
    *,
    task_type: int,
    class_labels: list[str] | None,
) -> pd.Series:
    """The target as models are trained on it: for classification a Categorical over
    `class_labels` (labels compared as the scorer compares them, `engine.target_values`), for
    regression float64; NaN where missing."""
    if isinstance(column, pd.Series):
        column = pa.Array.from_pandas(column)
    values = target_values(column, task_type=task_type, class_labels=class_labels)
    if task_type == CLASSIFICATION:
        return pd.Series(pd.Categorical.from_codes(values, categories=list(class_labels or [])))
    return pd.Series(values, dtype="float64")


def execute_configuration(
    estimator: str,
    parameters: Mapping[str, Any],
    *,
    seed: int,
    X: pd.DataFrame,
    y: pd.Series,
    splits: Splits,
    task_type: int,
    class_labels: list[str] | None,
    model: Any = None,
    on_fold: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Fit and predict the registry's pipeline for `estimator` and `parameters` (validated
    again by `build_pipeline`) on every fold. `X` is `prepare_features`' output, `y`
    `task_target`'s. Returns OpenML's predictions table and each fold's fit and predict
    seconds (see `fit_predict_folds`).

    `model` replaces the registry's pipeline; only the server's own tests pass one (their
    estimators that crash or exhaust memory on purpose).
    """
    if len(X) != splits.n_rows or len(y) != splits.n_rows:
        raise ValueError(
            f"X has {len(X)} rows and y {len(y)}, but the splits cover {splits.n_rows}."
        )
    if model is None:
        nominal, numeric, _ = feature_columns(X)
        model = build_pipeline(
            estimator, parameters, seed=seed, nominal_columns=nominal, numeric_columns=numeric
        )
    # Estimators take their randomness from random_state; anything that reaches for the
    # global generators instead gets the seed too.
    np.random.seed(seed)
    random.seed(seed)
    return fit_predict_folds(
        model,
        X.reset_index(drop=True),
        y.reset_index(drop=True),
        splits,
        task_type=task_type,
        class_labels=class_labels,
        on_fold=on_fold,
    )
