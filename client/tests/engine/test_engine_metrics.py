"""Tests for tunebench.engine.metrics: measures against scikit-learn, fold aggregation, edges."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from tunebench.engine.metrics import (
    CLASSIFICATION_MEASURES,
    MEASURES,
    REGRESSION_MEASURES,
    FoldScores,
    aggregate_folds,
    classification_measures,
    evaluate_folds,
    regression_measures,
)

TOLERANCE = 1e-9


def sklearn_classification(
    y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray | None, n_classes: int
) -> dict[str, float]:
    """The reference: scikit-learn's functions with their defaults, plus our documented choices."""
    labels = list(range(n_classes))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # UndefinedMetricWarning and friends: values are checked
        weighted = skm.precision_recall_fscore_support(y_true, y_pred, average="weighted")
        macro = skm.precision_recall_fscore_support(y_true, y_pred, average="macro")
        expected = {
            "predictive_accuracy": skm.accuracy_score(y_true, y_pred),
            "balanced_accuracy": skm.balanced_accuracy_score(y_true, y_pred),
            "precision": weighted[0],
            "mean_precision": macro[0],
            "weighted_recall": weighted[1],
            "unweighted_recall": macro[1],
            "f_measure": weighted[2],
            "mean_f_measure": macro[2],
            "kappa": skm.cohen_kappa_score(y_true, y_pred),
            "matthews_correlation_coefficient": skm.matthews_corrcoef(y_true, y_pred),
        }
        if proba is None:
            return expected
        present = np.unique(y_true)
        if n_classes == 2:
            auc = skm.roc_auc_score(y_true, proba[:, 1])
            expected["area_under_roc_curve"] = expected["macro_area_under_roc_curve"] = auc
        elif present.shape[0] < 2:
            expected["area_under_roc_curve"] = math.nan
            expected["macro_area_under_roc_curve"] = math.nan
        else:
            per_class = skm.roc_auc_score(
                y_true, proba, multi_class="ovr", average=None, labels=labels
            )
            expected["area_under_roc_curve"] = skm.roc_auc_score(
                y_true, proba, multi_class="ovr", average="weighted", labels=labels
            )
            # Our documented choice: classes absent from the fold are skipped (sklearn: NaN).
            expected["macro_area_under_roc_curve"] = float(np.mean(per_class[present]))
            if present.shape[0] == n_classes:
                assert expected["macro_area_under_roc_curve"] == pytest.approx(
                    skm.roc_auc_score(
                        y_true, proba, multi_class="ovr", average="macro", labels=labels
                    ),
                    abs=1e-12,
                )
        expected["log_loss"] = skm.log_loss(y_true, proba, labels=labels)
        expected["brier_score"] = skm.brier_score_loss(y_true, proba, labels=labels)
    return {name: float(value) for name, value in expected.items()}


def assert_scores_equal(actual: dict[str, float], expected: dict[str, float]) -> None:
    assert list(actual) == list(expected) or set(actual) == set(expected)
    for name, value in expected.items():
        if math.isnan(value):
            assert math.isnan(actual[name]), name
        else:
            assert abs(actual[name] - value) <= TOLERANCE, (name, actual[name], value)


@st.composite
def classification_case(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Random codes with some classes absent, and probabilities with many ties."""
    n_classes = draw(st.integers(2, 6))
    n = draw(st.integers(1, 60))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    true_classes = rng.choice(n_classes, size=draw(st.integers(1, n_classes)), replace=False)
    pred_classes = rng.choice(n_classes, size=draw(st.integers(1, n_classes)), replace=False)
    y_true = rng.choice(true_classes, size=n)
    y_pred = rng.choice(pred_classes, size=n)
    if draw(st.booleans()):  # correlate predictions with the truth
        keep = rng.random(n) < 0.6
        y_pred[keep] = y_true[keep]
    levels = draw(st.sampled_from([2, 3, 5, 1000]))  # few levels: many tied scores
    raw = rng.integers(0, levels, size=(n, n_classes)).astype(np.float64)
    raw[raw.sum(axis=1) == 0, 0] = 1.0
    proba = raw / raw.sum(axis=1, keepdims=True)
    return y_true, y_pred, proba, n_classes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classification_case())
def test_classification_measures_match_sklearn(case) -> None:
    """Every classification measure equals scikit-learn's within 1e-9 on random inputs."""
    y_true, y_pred, proba, n_classes = case
    actual = classification_measures(y_true, y_pred, proba, n_classes=n_classes)
    assert list(actual) == list(CLASSIFICATION_MEASURES)
    assert_scores_equal(actual, sklearn_classification(y_true, y_pred, proba, n_classes))


@settings(max_examples=100, deadline=None)
@given(classification_case())
def test_classification_measures_without_probabilities_omit_them(case) -> None:
    """proba=None leaves out exactly the measures that need probabilities."""
    y_true, y_pred, _, n_classes = case
    actual = classification_measures(y_true, y_pred, None, n_classes=n_classes)
    assert list(actual) == [
        m for m in CLASSIFICATION_MEASURES if not MEASURES[m].needs_probabilities
    ]
    assert_scores_equal(actual, sklearn_classification(y_true, y_pred, None, n_classes))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 50).flatmap(
        lambda n: st.tuples(
            st.lists(st.sampled_from([-2.5, 0.0, 1.0, 3.25, 1e6]), min_size=n, max_size=n),
            st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=n, max_size=n),
        )
    )
)
def test_regression_measures_match_sklearn(pair) -> None:
    """Regression measures equal scikit-learn's (r2 with force_finite; NaN below two rows)."""
    y_true, y_pred = (np.array(values, dtype=np.float64) for values in pair)
    actual = regression_measures(y_true, y_pred)
    assert list(actual) == list(REGRESSION_MEASURES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = {
            "root_mean_squared_error": skm.root_mean_squared_error(y_true, y_pred),
            "mean_absolute_error": skm.mean_absolute_error(y_true, y_pred),
            "r2": skm.r2_score(y_true, y_pred),
            "median_absolute_error": skm.median_absolute_error(y_true, y_pred),
        }
    scale = max(1.0, float(np.abs(y_true).max()) ** 2)  # sums of squares of 1e6-sized values
    for name, value in expected.items():
        if math.isnan(value):
            assert math.isnan(actual[name]), name
        else:
            tolerance = TOLERANCE * (scale if name == "r2" else 1.0)
            assert abs(actual[name] - float(value)) <= max(tolerance, 1e-9 * abs(value)), name


def test_measure_registry_is_consistent() -> None:
    """Names are keys, task types split the tuples, and OpenML's directions hold."""
    assert all(name == measure.name for name, measure in MEASURES.items())
    assert set(CLASSIFICATION_MEASURES) | set(REGRESSION_MEASURES) == set(MEASURES)
    assert {MEASURES[m].task_type for m in CLASSIFICATION_MEASURES} == {1}
    assert {MEASURES[m].task_type for m in REGRESSION_MEASURES} == {2}
    assert not MEASURES["log_loss"].higher_is_better
    assert MEASURES["area_under_roc_curve"].needs_probabilities
    assert not MEASURES["root_mean_squared_error"].higher_is_better


def test_binary_auc_is_positive_class_auc_with_ties() -> None:
    """Two classes: the AUC of code 1, ties counted one half."""
    y_true = np.array([0, 0, 1, 1])
    proba1 = np.array([0.1, 0.5, 0.5, 0.9])
    proba = np.column_stack([1 - proba1, proba1])
    scores = classification_measures(y_true, y_true, proba, n_classes=2)
    assert scores["area_under_roc_curve"] == 0.875
    assert scores["macro_area_under_roc_curve"] == 0.875
    assert scores["brier_score"] == pytest.approx(np.mean((proba1 - y_true) ** 2), abs=1e-15)


def test_auc_is_nan_when_fold_has_one_class() -> None:
    """A fold with a single true class has no ROC curve: both AUCs are NaN, others defined."""
    proba = np.full((3, 3), 1 / 3)
    scores = classification_measures(np.array([2, 2, 2]), np.array([2, 1, 2]), proba, n_classes=3)
    assert math.isnan(scores["area_under_roc_curve"])
    assert math.isnan(scores["macro_area_under_roc_curve"])
    assert scores["predictive_accuracy"] == pytest.approx(2 / 3)
    assert scores["balanced_accuracy"] == pytest.approx(2 / 3)


def test_kappa_nan_and_mcc_zero_when_undefined() -> None:
    """All rows one class, predicted right: kappa is NaN (sklearn), MCC 0 (sklearn)."""
    codes = np.array([1, 1, 1, 1])
    scores = classification_measures(codes, codes, None, n_classes=3)
    assert math.isnan(scores["kappa"])
    assert scores["matthews_correlation_coefficient"] == 0.0
    assert scores["predictive_accuracy"] == 1.0
    assert scores["mean_precision"] == 1.0  # classes 0 and 2 occur nowhere: not averaged


def test_log_loss_clips_zero_probability() -> None:
    """A zero probability on the true class costs -log(eps), not infinity."""
    proba = np.array([[1.0, 0.0], [0.0, 1.0]])
    scores = classification_measures(np.array([1, 1]), np.array([0, 1]), proba, n_classes=2)
    eps = np.finfo(np.float64).eps
    assert scores["log_loss"] == pytest.approx((-math.log(eps) - math.log(1 - eps)) / 2)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "proba", "message"),
    [
        (np.array([0, 3]), np.array([0, 1]), None, "below 3"),
        (np.array([0, -1]), np.array([0, 1]), None, ">= 0"),
        (np.array([0.0, 1.0]), np.array([0, 1]), None, "integer"),
        (np.array([0, 1]), np.array([0]), None, "rows"),
        (np.array([], dtype=int), np.array([], dtype=int), None, "empty"),
        (np.array([0, 1]), np.array([0, 1]), np.ones((2, 2)), "shape"),
    ],
)
def test_classification_measures_reject_bad_input(y_true, y_pred, proba, message) -> None:
    """Codes out of range, non-integers, length mismatches and bad proba shapes raise."""
    with pytest.raises(ValueError, match=message):
        classification_measures(y_true, y_pred, proba, n_classes=3)


def test_regression_single_row_r2_nan_and_constant_target() -> None:
    """r2 is NaN below two rows; a constant target gives 1.0 if fit exactly, else 0.0."""
    assert math.isnan(regression_measures(np.array([1.0]), np.array([2.0]))["r2"])
    assert regression_measures(np.array([1.0, 1.0]), np.array([1.0, 1.0]))["r2"] == 1.0
    assert regression_measures(np.array([1.0, 1.0]), np.array([1.0, 2.0]))["r2"] == 0.0


def test_evaluate_folds_equals_per_fold_measures_and_aggregates() -> None:
    """Shuffled rows are grouped by (repeat, fold); mean and std (ddof=0) span the folds."""
    rng = np.random.default_rng(7)
    n, n_classes = 600, 4
    repeat = rng.integers(0, 2, n)
    fold = rng.integers(0, 3, n)
    y_true = rng.integers(0, n_classes, n)
    y_pred = np.where(rng.random(n) < 0.5, y_true, rng.integers(0, n_classes, n))
    raw = rng.random((n, n_classes))
    proba = raw / raw.sum(axis=1, keepdims=True)

    result = evaluate_folds(1, y_true, y_pred, proba, repeat=repeat, fold=fold, n_classes=n_classes)
    assert isinstance(result, FoldScores)
    assert sorted(result.per_fold) == [(r, f) for r in range(2) for f in range(3)]
    for (r, f), scores in result.per_fold.items():
        rows = (repeat == r) & (fold == f)
        expected = classification_measures(
            y_true[rows], y_pred[rows], proba[rows], n_classes=n_classes
        )
        assert scores == expected
        assert_scores_equal(
            scores, sklearn_classification(y_true[rows], y_pred[rows], proba[rows], n_classes)
        )
    for name in CLASSIFICATION_MEASURES:
        values = np.array([s[name] for s in result.per_fold.values()])
        assert result.mean[name] == pytest.approx(values.mean(), abs=1e-15)
        assert result.std[name] == pytest.approx(values.std(ddof=0), abs=1e-15)
        assert result.n_defined[name] == 6


def test_evaluate_folds_regression_and_grouped_input() -> None:
    """Regression folds on rows that are already grouped give each fold's measures."""
    y_true = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 7.0])
    y_pred = np.array([1.5, 2.0, 2.0, 4.0, 6.0, 7.0])
    fold = np.array([0, 0, 0, 1, 1, 1])
    result = evaluate_folds(2, y_true, y_pred, None, repeat=np.zeros(6, dtype=int), fold=fold)
    assert result.per_fold[(0, 0)] == regression_measures(y_true[:3], y_pred[:3])
    assert result.per_fold[(0, 1)] == regression_measures(y_true[3:], y_pred[3:])
    maes = [0.5, 1 / 3]
    assert result.mean["mean_absolute_error"] == pytest.approx(np.mean(maes))
    assert result.std["mean_absolute_error"] == pytest.approx(np.std(maes))


def test_aggregate_ignores_nan_folds() -> None:
    """A fold where a measure is undefined does not count; none defined gives NaN."""
    result = aggregate_folds(
        {
            (0, 0): {"kappa": 0.5, "area_under_roc_curve": math.nan},
            (0, 1): {"kappa": math.nan, "area_under_roc_curve": math.nan},
            (0, 2): {"kappa": 0.7, "area_under_roc_curve": math.nan},
        }
    )
    assert result.mean["kappa"] == pytest.approx(0.6)
    assert result.std["kappa"] == pytest.approx(0.1)
    assert result.n_defined == {"kappa": 2, "area_under_roc_curve": 0}
    assert math.isnan(result.mean["area_under_roc_curve"])
    assert math.isnan(result.std["area_under_roc_curve"])


def test_evaluate_folds_rejects_bad_arguments() -> None:
    """Classification needs n_classes; unknown task types and ragged arrays raise."""
    codes = np.array([0, 1])
    zeros = np.zeros(2, dtype=int)
    with pytest.raises(ValueError, match="n_classes"):
        evaluate_folds(1, codes, codes, None, repeat=zeros, fold=zeros)
    with pytest.raises(ValueError, match="task_type"):
        evaluate_folds(3, codes, codes, None, repeat=zeros, fold=zeros)
    with pytest.raises(ValueError, match="one row"):
        evaluate_folds(1, codes, codes, None, repeat=zeros[:1], fold=zeros, n_classes=2)
