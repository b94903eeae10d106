"""The shared scorer: target values as the scorer compares them, and scoring by row id."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from tunebench import engine
from tunebench.engine.predictions import Predictions


def test_labels_become_codes_whatever_the_column_type():
    labels = ["a", "b"]
    plain = pa.array(["b", None, "a"])
    dictionary = plain.dictionary_encode()
    for column in (plain, dictionary, pa.chunked_array([plain])):
        codes = engine.target_values(column, task_type=1, class_labels=labels)
        assert codes.tolist() == [1, -1, 0]
    booleans = engine.target_values(
        pa.array([True, False]), task_type=1, class_labels=["false", "true"]
    )
    assert booleans.tolist() == [1, 0]


def test_an_unknown_target_label_is_an_error():
    with pytest.raises(engine.ScoringError) as caught:
        engine.target_values(pa.array(["a", "A"]), task_type=1, class_labels=["a"])
    assert caught.value.code == "unknown_label"


def test_regression_targets_are_floats_with_nan_for_missing():
    values = engine.target_values(pa.array([1, None, 3]), task_type=2, class_labels=None)
    assert values[0] == 1.0
    assert np.isnan(values[1])


def _predictions(row_id, y_pred, fold):
    n = len(row_id)
    return Predictions(
        repeat=np.zeros(n, np.int32),
        fold=np.asarray(fold, np.int32),
        row_id=np.asarray(row_id, np.int64),
        y_pred=np.asarray(y_pred),
        proba=None,
    )


def test_scores_index_the_truth_by_row_id():
    y_true = np.array([0, 1, 1, 0])
    checked = _predictions([3, 2, 1, 0], [0, 1, 0, 0], [0, 0, 1, 1])
    scores = engine.score_predictions(checked, y_true, task_type=1, n_classes=2)
    assert scores.per_fold[(0, 0)]["predictive_accuracy"] == 1.0
    assert scores.per_fold[(0, 1)]["predictive_accuracy"] == 0.5
    assert scores.mean["predictive_accuracy"] == 0.75


def test_missing_truth_and_rows_beyond_the_target_are_errors():
    with pytest.raises(engine.ScoringError) as caught:
        engine.score_predictions(
            _predictions([0, 1], [0, 0], [0, 0]), np.array([0, -1]), task_type=1, n_classes=2
        )
    assert caught.value.code == "missing_target"
    with pytest.raises(engine.ScoringError) as caught:
        engine.score_predictions(
            _predictions([0, 5], [0.0, 1.0], [0, 0]), np.array([0.0, 1.0]), task_type=2
        )
    assert caught.value.code == "rows_mismatch"


@pytest.mark.parametrize("with_proba", [True, False])
def test_checked_predictions_round_trip(tmp_path, with_proba):
    checked = Predictions(
        repeat=np.array([0, 0, 1], np.int32),
        fold=np.array([0, 1, 0], np.int32),
        row_id=np.array([2, 0, 1], np.int64),
        y_pred=np.array([1, 0, 1], np.int64),
        proba=np.array([[0.2, 0.8], [0.9, 0.1], [0.5, 0.5]]) if with_proba else None,
    )
    engine.write_checked_predictions(checked, tmp_path / "c.parquet")
    back = engine.read_checked_predictions(tmp_path / "c.parquet")
    for name in ("repeat", "fold", "row_id", "y_pred"):
        assert np.array_equal(getattr(back, name), getattr(checked, name))
        assert getattr(back, name).dtype == getattr(checked, name).dtype
    if with_proba:
        assert np.array_equal(back.proba, checked.proba)
    else:
        assert back.proba is None
