"""Evaluation measures with OpenML's names, computed from predictions with numpy only.

The scorer maps a run's predicted labels to class codes (0..n_classes-1, the task's class list
order) and calls `evaluate_folds`, which scores every (repeat, fold) and aggregates them; the
client can call the same functions on local predictions and get bit-identical numbers.

Every value equals scikit-learn's (1.9) reference function with its default arguments on the
same arrays, to within rounding (tests assert 1e-9), with these documented choices:

- Averages. `precision`, `weighted_recall` and `f_measure` are weighted by the true class counts
  (OpenML's `precision`/`f_measure` are weighted, also for two classes). `mean_precision`,
  `unweighted_recall` and `mean_f_measure` are unweighted means over the classes that occur in
  y_true or y_pred of the fold (scikit-learn's default `labels`); a class absent from both does
  not count. A zero denominator gives 0 (scikit-learn's default `zero_division="warn"`), and the
  F-measure is 2·tp / (2·tp + fp + fn). `balanced_accuracy` is the mean recall over the classes
  present in y_true, so it differs from `unweighted_recall` only when a fold predicts a class
  it does not contain.
- `kappa` (Cohen, unweighted) is NaN when undefined (both sides one and the same single class),
  as scikit-learn's `replace_undefined_by=np.nan`; `matthews_correlation_coefficient` is 0
  when a marginal is constant, as scikit-learn.
- `area_under_roc_curve`: with two classes, the AUC of class code 1 scored by `proba[:, 1]`;
  with more, the one-vs-rest AUC of each class weighted by its count in y_true (OpenML's
  definition; Weka skips classes whose AUC is undefined, and so do we, which is also what
  scikit-learn's `average="weighted"` gives). `macro_area_under_roc_curve` (no OpenML name) is
  the unweighted mean of the one-vs-rest AUCs of the classes present in the fold; it equals
  scikit-learn's `average="macro"` when every class is present, where scikit-learn returns
  NaN if one is absent (we skip it, like the weighted mean). With two classes it equals
  `area_under_roc_curve`. Both are NaN when the fold contains a single class (scikit-learn
  also returns NaN). AUC is the Mann-Whitney statistic: ties count one half, which is exactly
  the trapezoidal area scikit-learn computes.
- `log_loss` clips probabilities to [eps, 1 - eps], eps = np.finfo(proba.dtype).eps, as
  scikit-learn; rows are used as given (the predictions validator checked that they sum to 1).
- `brier_score` is scikit-learn's `brier_score_loss(y, proba, labels=range(n_classes))`: the mean
  over rows of sum over classes of (p - onehot)^2 for three or more classes, and half of it
  with two classes, i.e. the classic mean (p_1 - y)^2.
- Regression: `r2` is 1 - SSE/SST with scikit-learn's `force_finite` convention (SST = 0 gives
  1.0 for a perfect fit, else 0.0) and NaN for fewer than two rows.

Folds: `evaluate_folds` reports every measure per (repeat, fold); `mean` and `std` aggregate the
folds where the measure is defined (not NaN), and `std` is the population standard deviation
(ddof=0), as OpenML reports it. A measure defined in no fold has mean and std NaN. NaN is a
float here; whoever writes JSON or a database row turns it into null.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

CLASSIFICATION = 1  # OpenML task type ids (openml-api.md 5.1)
REGRESSION = 2


@dataclass(frozen=True)
class Measure:
    """One evaluation measure; `name` is OpenML's name where OpenML has one."""

    name: str
    task_type: int
    higher_is_better: bool
    needs_probabilities: bool
    description: str


_DEFINITIONS = (
    Measure("predictive_accuracy", CLASSIFICATION, True, False, "Share of rows predicted right."),
    Measure(
        "balanced_accuracy",
        CLASSIFICATION,
        True,
        False,
        "Mean recall over the classes present in y_true (not an OpenML name).",
    ),
    Measure("precision", CLASSIFICATION, True, False, "Precision weighted by true class counts."),
    Measure(
        "mean_precision",
        CLASSIFICATION,
        True,
        False,
        "Unweighted mean precision over classes in y_true or y_pred.",
    ),
    Measure(
        "weighted_recall", CLASSIFICATION, True, False, "Recall weighted by true class counts."
    ),
    Measure(
        "unweighted_recall",
        CLASSIFICATION,
        True,
        False,
        "Unweighted mean recall over classes in y_true or y_pred.",
    ),
    Measure("f_measure", CLASSIFICATION, True, False, "F1 weighted by true class counts."),
    Measure(
        "mean_f_measure",
        CLASSIFICATION,
        True,
        False,
        "Unweighted mean F1 over classes in y_true or y_pred.",
    ),
    Measure("kappa", CLASSIFICATION, True, False, "Cohen's kappa; NaN when undefined."),
    Measure(
        "matthews_correlation_coefficient",
        CLASSIFICATION,
        True,
        False,
        "Multiclass Matthews correlation coefficient (Gorodkin's R_K).",
    ),
    Measure(
        "area_under_roc_curve",
        CLASSIFICATION,
        True,
        True,
        "ROC AUC: of class 1 for two classes, else one-vs-rest weighted by class counts.",
    ),
    Measure(
        "macro_area_under_roc_curve",
        CLASSIFICATION,
        True,
        True,
        "Unweighted mean one-vs-rest ROC AUC over present classes (not an OpenML name).",
    ),
    Measure(
        "log_loss",
        CLASSIFICATION,
        False,
        True,
        "Mean negative log probability of the true class, clipped (not an OpenML name).",
    ),
    Measure(
        "brier_score",
        CLASSIFICATION,
        False,
        True,
        "Mean squared error of the probability vector (halved for two classes; not an OpenML "
        "name).",
    ),
    Measure("root_mean_squared_error", REGRESSION, False, False, "Root of the mean squared error."),
    Measure("mean_absolute_error", REGRESSION, False, False, "Mean absolute error."),
    Measure(
        "r2",
        REGRESSION,
        True,
        False,
        "Coefficient of determination 1 - SSE/SST (not an OpenML name).",
    ),
    Measure(
        "median_absolute_error",
        REGRESSION,
        False,
        False,
        "Median absolute error (not an OpenML name).",
    ),
)

MEASURES: dict[str, Measure] = {measure.name: measure for measure in _DEFINITIONS}
CLASSIFICATION_MEASURES: tuple[str, ...] = tuple(
    m.name for m in _DEFINITIONS if m.task_type == CLASSIFICATION
)
REGRESSION_MEASURES: tuple[str, ...] = tuple(
    m.name for m in _DEFINITIONS if m.task_type == REGRESSION
)

_NAN = float("nan")


def classification_measures(
    y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray | None, *, n_classes: int
) -> dict[str, float]:
    """Every classification measure of one set of predictions, in CLASSIFICATION_MEASURES order.

    y_true and y_pred are integer class codes in 0..n_classes-1; proba is (n, n_classes) or
    None, which leaves out the measures that need probabilities.
    """
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    y_true = _codes(y_true, "y_true", n_classes)
    y_pred = _codes(y_pred, "y_pred", n_classes)
    if y_pred.shape != y_true.shape:
        raise ValueError(f"y_pred has {y_pred.shape[0]} rows, y_true {y_true.shape[0]}")
    confusion = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    scores = _confusion_measures(confusion.reshape(n_classes, n_classes))
    if proba is not None:
        proba = np.asarray(proba)
        if proba.dtype.kind != "f":
            proba = proba.astype(np.float64)
        if proba.shape != (y_true.shape[0], n_classes):
            raise ValueError(
                f"proba must have shape {(y_true.shape[0], n_classes)}, got {proba.shape}"
            )
        scores.update(_probability_measures(y_true, proba, confusion.reshape(n_classes, -1)))
    return scores


def regression_measures(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Every regression measure, in REGRESSION_MEASURES order."""
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape or y_true.shape[0] == 0:
        raise ValueError(
            f"y_true and y_pred must be non-empty 1-d arrays of one length, got {y_true.shape} "
            f"and {y_pred.shape}"
        )
    error = y_true - y_pred
    absolute = np.abs(error)
    sse = float(np.dot(error, error))
    n = y_true.shape[0]
    if n < 2:
        r2 = _NAN
    else:
        centred = y_true - y_true.mean()
        sst = float(np.dot(centred, centred))
        # scikit-learn's force_finite: a constant target is explained only by an exact fit.
        r2 = (1.0 if sse == 0.0 else 0.0) if sst == 0.0 else 1.0 - sse / sst
    return {
        "root_mean_squared_error": math.sqrt(sse / n),
        "mean_absolute_error": float(absolute.mean()),
        "r2": r2,
        "median_absolute_error": float(np.median(absolute)),
    }


@dataclass(frozen=True)
class FoldScores:
    """Measures per (repeat, fold), and their mean and population std (ddof=0) over folds.

    `n_defined[name]` counts the folds where the measure is not NaN; mean and std use those.
    """

    per_fold: dict[tuple[int, int], dict[str, float]]
    mean: dict[str, float]
    std: dict[str, float]
    n_defined: dict[str, int] = field(default_factory=dict)


def aggregate_folds(per_fold: Mapping[tuple[int, int], Mapping[str, float]]) -> FoldScores:
    """Mean and population std (ddof=0) of each measure over the folds where it is not NaN."""
    names: dict[str, None] = {}
    for scores in per_fold.values():
        names.update(dict.fromkeys(scores))
    mean: dict[str, float] = {}
    std: dict[str, float] = {}
    n_defined: dict[str, int] = {}
    for name in names:
        values = np.array([s[name] for s in per_fold.values() if name in s], dtype=np.float64)
        values = values[~np.isnan(values)]
        n_defined[name] = int(values.shape[0])
        if values.shape[0] == 0:
            mean[name] = std[name] = _NAN
        else:
            mean[name] = float(values.mean())
            std[name] = float(values.std())
    return FoldScores(
        per_fold={key: dict(scores) for key, scores in per_fold.items()},
        mean=mean,
        std=std,
        n_defined=n_defined,
    )


def evaluate_folds(
    task_type: int,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    proba: np.ndarray | None,
    *,
    repeat: np.ndarray,
    fold: np.ndarray,
    n_classes: int | None = None,
) -> FoldScores:
    """Score every (repeat, fold) of a run's predictions and aggregate them.

    Row i of every array belongs to (repeat[i], fold[i]); rows need not be grouped (they are
    grouped with one stable sort unless they already are). Classification needs n_classes.
    """
    if task_type == CLASSIFICATION:
        if n_classes is None:
            raise ValueError("evaluate_folds needs n_classes for a classification task")
    elif task_type != REGRESSION:
        raise ValueError(f"unknown task_type {task_type}; expected 1 or 2")
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    repeat = _codes(repeat, "repeat", None)
    fold = _codes(fold, "fold", None)
    n = y_true.shape[0]
    if not (y_pred.shape[0] == repeat.shape[0] == fold.shape[0] == n) or (
        proba is not None and np.shape(proba)[0] != n
    ):
        raise ValueError("y_true, y_pred, proba, repeat and fold must have one row per prediction")
    if n == 0:
        raise ValueError("no predictions to evaluate")
    key = repeat * (int(fold.max()) + 1) + fold
    if np.any(key[1:] < key[:-1]):
        order = np.argsort(key, kind="stable")
        key, y_true, y_pred, repeat, fold = (a[order] for a in (key, y_true, y_pred, repeat, fold))
        if proba is not None:
            proba = np.asarray(proba)[order]
    bounds = np.concatenate(([0], np.flatnonzero(key[1:] != key[:-1]) + 1, [n]))
    per_fold: dict[tuple[int, int], dict[str, float]] = {}
    for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        part = slice(start, stop)
        if task_type == CLASSIFICATION:
            scores = classification_measures(
                y_true[part],
                y_pred[part],
                None if proba is None else proba[part],
                n_classes=n_classes,  # type: ignore[arg-type]
            )
        else:
            scores = regression_measures(y_true[part], y_pred[part])
        per_fold[(int(repeat[start]), int(fold[start]))] = scores
    return aggregate_folds(per_fold)


def _codes(values: np.ndarray, name: str, n_classes: int | None) -> np.ndarray:
    """A 1-d intp array of non-negative codes (below n_classes when given)."""
    codes = np.asarray(values)
    if codes.ndim != 1 or codes.dtype.kind not in "iub":
        raise ValueError(f"{name} must be a 1-d integer array, got {codes.dtype} {codes.shape}")
    codes = codes.astype(np.intp, copy=False)
    if codes.shape[0] == 0:
        raise ValueError(f"{name} is empty")
    low, high = int(codes.min()), int(codes.max())
    if low < 0 or (n_classes is not None and high >= n_classes):
        bound = "" if n_classes is None else f" and below {n_classes}"
        raise ValueError(f"{name} holds codes {low}..{high}; they must be >= 0{bound}")
    return codes


def _confusion_measures(confusion: np.ndarray) -> dict[str, float]:
    """Measures of predicted labels, from the confusion matrix (rows true, columns predicted)."""
    tp = np.diagonal(confusion).astype(np.float64)
    true_sum = confusion.sum(axis=1)
    pred_sum = confusion.sum(axis=0)
    n = int(true_sum.sum())
    correct = int(np.trace(confusion))

    precision = _divide(tp, pred_sum)
    recall = _divide(tp, true_sum)
    f1 = _divide(2.0 * tp, true_sum + pred_sum)
    weights = true_sum.astype(np.float64)
    seen = (true_sum + pred_sum) > 0  # scikit-learn's default labels: in y_true or y_pred
    present = true_sum > 0

    # Exact integer sums (no overflow below ~3e9 rows), then one rounding each.
    t_dot_p = int(np.dot(true_sum, pred_sum))
    n2 = n * n
    expected_disagreement = n2 - t_dot_p
    kappa = _NAN if expected_disagreement == 0 else 1.0 - n * (n - correct) / expected_disagreement
    # Matthews as scikit-learn computes it (float64 products).
    cov_tp = float(correct * n - t_dot_p)
    cov_pp = float(n2 - int(np.dot(pred_sum, pred_sum)))
    cov_tt = float(n2 - int(np.dot(true_sum, true_sum)))
    cov_product = cov_pp * cov_tt
    mcc = 0.0 if cov_product == 0 else cov_tp / math.sqrt(cov_product)

    return {
        "predictive_accuracy": correct / n,
        "balanced_accuracy": float(recall[present].mean()),
        "precision": float(np.dot(precision, weights) / n),
        "mean_precision": float(precision[seen].mean()),
        "weighted_recall": float(np.dot(recall, weights) / n),
        "unweighted_recall": float(recall[seen].mean()),
        "f_measure": float(np.dot(f1, weights) / n),
        "mean_f_measure": float(f1[seen].mean()),
        "kappa": kappa,
        "matthews_correlation_coefficient": mcc,
    }


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is 0 (scikit-learn's zero_division)."""
    out = np.zeros(numerator.shape, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _probability_measures(
    y_true: np.ndarray, proba: np.ndarray, confusion: np.ndarray
) -> dict[str, float]:
    n, n_classes = proba.shape
    rows = np.arange(n)
    true_proba = proba[rows, y_true]

    eps = np.finfo(proba.dtype).eps
    log_loss = -float(np.log(np.clip(true_proba, eps, 1 - eps)).mean())

    residual = proba.astype(np.float64, copy=True)
    residual[rows, y_true] -= 1.0
    brier = float(np.einsum("ij,ij->i", residual, residual).mean())
    if n_classes == 2:
        brier *= 0.5

    counts = confusion.sum(axis=1)
    if n_classes == 2:
        auc = _binary_auc(proba[:, 1], y_true == 1, int(counts[1]))
        weighted = macro = auc
    else:
        columns = np.ascontiguousarray(proba.T)  # one contiguous column per class
        aucs = np.array(
            [_binary_auc(columns[c], y_true == c, int(counts[c])) for c in range(n_classes)]
        )
        defined = ~np.isnan(aucs)
        if defined.any():
            weighted = float(np.dot(aucs[defined], counts[defined]) / counts[defined].sum())
            macro = float(aucs[defined].mean())
        else:
            weighted = macro = _NAN
    return {
        "area_under_roc_curve": weighted,
        "macro_area_under_roc_curve": macro,
        "log_loss": log_loss,
        "brier_score": brier,
    }


def _binary_auc(score: np.ndarray, positive: np.ndarray, n_positive: int) -> float:
    """ROC AUC as the Mann-Whitney U statistic: P(score_pos > score_neg) + P(tie) / 2.

    Sorting the two groups separately and counting, for every positive, the negatives below it
    (searchsorted left) and not above it (right) gives 2U = sum(left + right) exactly in
    integers, with ties counted one half, which is the trapezoidal ROC area scikit-learn
    computes. NaN when either group is empty.
    """
    n_negative = score.shape[0] - n_positive
    if n_positive == 0 or n_negative == 0:
        return _NAN
    positives = np.sort(score[positive])
    negatives = np.sort(score[~positive])
    below = np.searchsorted(negatives, positives, side="left")
    not_above = np.searchsorted(negatives, positives, side="right")
    twice_u = int(below.sum()) + int(not_above.sum())
    return twice_u / (2.0 * n_positive * n_negative)
