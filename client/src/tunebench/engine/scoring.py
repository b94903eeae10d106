"""Score validated predictions against a task's true target: what the server's scorer and the
client's `Task.evaluate` both run, so a run scores the same locally and on the server.

    y_true = target_values(column, task_type=1, class_labels=labels)   # codes, -1 = missing
    checked = validate_predictions(table, splits, task_type=1, class_labels=labels)
    scores = score_predictions(checked, y_true, task_type=1, n_classes=len(labels))
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tunebench.engine.metrics import CLASSIFICATION, REGRESSION, FoldScores, evaluate_folds
from tunebench.engine.predictions import Predictions

SCORING_CODES = ("unknown_label", "missing_target", "rows_mismatch")


class ScoringError(ValueError):
    """The task's data cannot score these predictions; `code` is one of `SCORING_CODES`."""

    def __init__(self, message: str, *, code: str) -> None:
        assert code in SCORING_CODES, f"unknown scoring code {code!r}"
        self.code = code
        super().__init__(message)


def target_values(
    column: pa.Array | pa.ChunkedArray, *, task_type: int, class_labels: list[str] | None
) -> np.ndarray:
    """The target as the scorer compares it.

    Classification: each row's index in `class_labels` (int64, -1 where missing), labels
    compared as text exactly as predictions are (`true`/`false` for a boolean target).
    Regression: float64, NaN where missing.
    """
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if task_type == REGRESSION:
        return pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)
    if task_type != CLASSIFICATION:
        raise ValueError(f"unknown task_type {task_type}; expected 1 or 2")
    values = column
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = pc.cast(values, pa.string())
    labels = pa.array(list(class_labels or []), pa.string())
    codes = pc.index_in(values, value_set=labels)
    unknown = codes.is_null().to_numpy(zero_copy_only=False) & ~values.is_null().to_numpy(
        zero_copy_only=False
    )
    if unknown.any():
        first = values[int(np.flatnonzero(unknown)[0])].as_py()
        raise ScoringError(
            f"The target holds {first!r}, which is not one of the task's classes "
            f"{list(class_labels or [])}.",
            code="unknown_label",
        )
    return codes.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def score_predictions(
    predictions: Predictions,
    y_true: np.ndarray,
    *,
    task_type: int,
    n_classes: int | None = None,
) -> FoldScores:
    """Every measure of the task type, per fold and aggregated; `y_true` from `target_values`
    covers every row of the dataset (predictions index it by `row_id`)."""
    if predictions.row_id.size and int(predictions.row_id.max()) >= y_true.shape[0]:
        raise ScoringError(
            f"The predictions name row {int(predictions.row_id.max())}, but the target has "
            f"{y_true.shape[0]} rows.",
            code="rows_mismatch",
        )
    truth = y_true[predictions.row_id]
    missing = truth < 0 if task_type == CLASSIFICATION else np.isnan(truth)
    if missing.any():
        raise ScoringError(
            f"The target is missing for {int(missing.sum())} predicted rows (the first is row "
            f"{int(predictions.row_id[np.flatnonzero(missing)[0]])}); they cannot be scored.",
            code="missing_target",
        )
    return evaluate_folds(
        task_type,
        truth,
        predictions.y_pred,
        predictions.proba,
        repeat=predictions.repeat,
        fold=predictions.fold,
        n_classes=n_classes if task_type == CLASSIFICATION else None,
    )


def write_checked_predictions(predictions: Predictions, path: str | os.PathLike[str]) -> None:
    """Store validated predictions in their canonical form (sorted, typed, class codes), so
    a scorer can read them back without the splits: `read_checked_predictions`."""
    columns: dict[str, pa.Array] = {
        "repeat": pa.array(predictions.repeat, pa.int32()),
        "fold": pa.array(predictions.fold, pa.int32()),
        "row_id": pa.array(predictions.row_id, pa.int64()),
        "y_pred": pa.array(predictions.y_pred),
    }
    if predictions.proba is not None:
        for index in range(predictions.proba.shape[1]):
            columns[f"proba.{index}"] = pa.array(predictions.proba[:, index], pa.float64())
    pq.write_table(pa.table(columns), str(path))  # snappy: the fastest to read back


def read_checked_predictions(path: str | os.PathLike[str]) -> Predictions:
    """Predictions written by `write_checked_predictions` (a file the server wrote itself)."""
    table = pq.read_table(str(path))
    names = table.column_names
    if names[:4] != ["repeat", "fold", "row_id", "y_pred"]:
        raise ValueError(f"{path} is not a checked predictions file (columns {names[:4]}).")
    proba_names = [name for name in names[4:] if name.startswith("proba.")]
    proba = None
    if proba_names:
        proba = np.column_stack([table.column(name).to_numpy() for name in proba_names]).astype(
            np.float64, copy=False
        )
    return Predictions(
        repeat=table.column("repeat").to_numpy().astype(np.int32, copy=False),
        fold=table.column("fold").to_numpy().astype(np.int32, copy=False),
        row_id=table.column("row_id").to_numpy().astype(np.int64, copy=False),
        y_pred=table.column("y_pred").to_numpy(),
        proba=proba,
    )
