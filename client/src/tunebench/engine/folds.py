"""Fit and predict a model on every fold of a task's splits: what `run_model_on_task` runs on a
laptop and what a server worker will run for a submitted configuration, so both produce the
same predictions table for the same model, data, splits and seed.

scikit-learn is imported on first use (only `sklearn.base.clone`); the model is any estimator
with `fit`, `predict` and `get_params`/`set_params`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from tunebench.engine.metrics import CLASSIFICATION
from tunebench.engine.splits import Splits


def seed_model(model: Any, seed: int) -> Any:
    """A clone of `model` with every `random_state` in `get_params(deep=True)` that is None or
    an int set to `seed` (a `RandomState` or `Generator` given on purpose is kept)."""
    from sklearn.base import clone

    seeded = clone(model)
    keys = [
        key
        for key, value in seeded.get_params(deep=True).items()
        if key.endswith("random_state")
        and (value is None or (isinstance(value, int) and not isinstance(value, bool)))
    ]
    seeded.set_params(**dict.fromkeys(keys, seed))
    return seeded


def fit_predict_folds(
    model: Any,
    X: pd.DataFrame,
    y: pd.Series,
    splits: Splits,
    *,
    task_type: int,
    class_labels: list[str] | None,
    on_fold: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Fit a clone of `model` on every training fold and predict its test fold.

    Returns OpenML's predictions table (`repeat`, `fold`, `row_id`, `prediction` and, for a
    classifier with `predict_proba`, `confidence.<label>` in `class_labels` order, 0 for a class
    the fold's model never saw) and the seconds each fold's fit and predict took. Classifiers
    are fitted on the labels as text, so they predict labels; rows whose target is missing are
    left out of training (they are still predicted when tested). `on_fold(repeat, fold)` is
    called after each fold (for a progress bar).
    """
    from sklearn.base import clone

    classification = task_type == CLASSIFICATION
    labels = list(class_labels or [])
    if classification:
        target = np.asarray(y.astype(object))  # the label text, NaN where missing
        known = y.notna().to_numpy()
    else:
        target = y.to_numpy(dtype=np.float64)
        known = ~np.isnan(target)
    with_confidence = classification and hasattr(model, "predict_proba")
    position = {label: index for index, label in enumerate(labels)}
    pieces, timings = [], []
    for repeat, fold, train, test in splits.iter_folds():
        fitted = clone(model)
        train = train[known[train]]
        started = time.perf_counter()
        fitted.fit(X.iloc[train], target[train])
        fit_seconds = time.perf_counter() - started
        started = time.perf_counter()
        predicted = fitted.predict(X.iloc[test])
        proba = fitted.predict_proba(X.iloc[test]) if with_confidence else None
        predict_seconds = time.perf_counter() - started
        piece: dict[str, Any] = {
            "repeat": np.full(len(test), repeat, dtype=np.int64),
            "fold": np.full(len(test), fold, dtype=np.int64),
            "row_id": test.astype(np.int64),
        }
        if classification:
            piece["prediction"] = np.array([str(label) for label in predicted], dtype=object)
        else:
            piece["prediction"] = np.asarray(predicted, dtype=np.float64).reshape(-1)
        if proba is not None:
            confidence = np.zeros((len(test), len(labels)))
            for column, label in enumerate(fitted.classes_):
                confidence[:, position[str(label)]] = proba[:, column]
            for index, label in enumerate(labels):
                piece[f"confidence.{label}"] = confidence[:, index]
        pieces.append(pd.DataFrame(piece))
        timings.append(
            {
                "repeat": int(repeat),
                "fold": int(fold),
                "fit_seconds": fit_seconds,
                "predict_seconds": predict_seconds,
            }
        )
        if on_fold is not None:
            on_fold(int(repeat), int(fold))
    return pd.concat(pieces, ignore_index=True), timings
