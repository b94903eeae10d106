"""Benchmark: every classification measure per fold, engine against scikit-learn.

Generates `--rows` predictions (default 1,000,000) for `--classes` classes (default 5), each row
in one of `--folds` folds (default 10, assigned at random, so the engine must also group the
rows), with probabilities rounded to 3 decimals so that scores tie. Then times:

- engine: `tunebench.engine.metrics.evaluate_folds` on the whole arrays (grouping included);
- scikit-learn: on arrays already split per fold (the split is not timed), for each fold
  accuracy_score, balanced_accuracy_score, precision_recall_fscore_support (weighted and macro),
  roc_auc_score (ovr, weighted and macro), log_loss, brier_score_loss (multiclass),
  cohen_kappa_score and matthews_corrcoef.

Each side runs `--repeat` times (default 3), interleaved; the best time counts. Target: engine
time <= 0.5x scikit-learn's, and every value within 1e-9 of scikit-learn's. Prints both times,
the ratio, the largest absolute difference and PASS/FAIL; exits 1 on a miss. Usage:

    .venv/bin/python bench/metrics.py               # full size, ~1 minute on 2 cores
    .venv/bin/python bench/metrics.py --rows 50000  # smoke run
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
from sklearn import metrics as skm

from tunebench.engine.metrics import evaluate_folds

TIME_TARGET = 0.5
VALUE_TARGET = 1e-9


def generate(rows: int, classes: int, folds: int, seed: int = 0):
    """Codes, a correlated prediction, tied probabilities and random fold ids."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, classes, rows)
    raw = np.round(rng.random((rows, classes)), 3)
    raw[np.arange(rows), y_true] += 0.3  # informative scores
    proba = raw / raw.sum(axis=1, keepdims=True)
    y_pred = proba.argmax(axis=1)
    fold = rng.integers(0, folds, rows)
    return y_true, y_pred, proba, fold


def sklearn_fold(y_true, y_pred, proba, labels) -> dict[str, float]:
    weighted = skm.precision_recall_fscore_support(y_true, y_pred, average="weighted")
    macro = skm.precision_recall_fscore_support(y_true, y_pred, average="macro")
    return {
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
        "area_under_roc_curve": skm.roc_auc_score(
            y_true, proba, multi_class="ovr", average="weighted", labels=labels
        ),
        "macro_area_under_roc_curve": skm.roc_auc_score(
            y_true, proba, multi_class="ovr", average="macro", labels=labels
        ),
        "log_loss": skm.log_loss(y_true, proba, labels=labels),
        "brier_score": skm.brier_score_loss(y_true, proba, labels=labels),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--classes", type=int, default=5)
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.classes < 3:
        parser.error("--classes must be at least 3 (the multiclass measures are benchmarked)")

    y_true, y_pred, proba, fold = generate(args.rows, args.classes, args.folds)
    repeat = np.zeros_like(fold)
    labels = list(range(args.classes))
    parts = [(y_true[fold == f], y_pred[fold == f], proba[fold == f]) for f in range(args.folds)]
    print(
        f"{args.rows:,} predictions x {args.classes} classes x {args.folds} folds, "
        f"best of {args.repeat}"
    )

    engine_best = sklearn_best = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        scores = evaluate_folds(
            1, y_true, y_pred, proba, repeat=repeat, fold=fold, n_classes=args.classes
        )
        engine_best = min(engine_best, time.perf_counter() - start)

        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reference = [sklearn_fold(*part, labels) for part in parts]
        sklearn_best = min(sklearn_best, time.perf_counter() - start)

    max_diff = 0.0
    for f, expected in enumerate(reference):
        actual = scores.per_fold[(0, f)]
        for name, value in expected.items():
            max_diff = max(max_diff, abs(actual[name] - float(value)))

    ratio = engine_best / sklearn_best
    time_ok = ratio <= TIME_TARGET
    value_ok = max_diff <= VALUE_TARGET
    print(f"engine (evaluate_folds):      {engine_best:8.3f} s")
    print(f"scikit-learn (per fold):      {sklearn_best:8.3f} s")
    print(
        f"ratio engine / scikit-learn:  {ratio:8.3f}  (target <= {TIME_TARGET})  "
        f"{'PASS' if time_ok else 'FAIL'}"
    )
    print(
        f"max |engine - scikit-learn|:  {max_diff:8.1e}  (target <= {VALUE_TARGET:g})  "
        f"{'PASS' if value_ok else 'FAIL'}"
    )
    return 0 if time_ok and value_ok else 1


if __name__ == "__main__":
    sys.exit(main())
