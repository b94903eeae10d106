"""Read a run's predictions file and check it against the task's splits, vectorised.

`read_predictions` reads Parquet, CSV or ARFF by content through the engine's readers (so every
file-level problem is a `DataFormatError`); `validate_predictions` checks the table against a
task's `Splits` and returns `Predictions` aligned to the test rows in canonical order
(repeat, fold, row_id), or raises one `PredictionsError` listing the problems with their rows.

Columns are found by name, never position, with exactly the names openml-python writes:
`repeat`, `fold`, `row_id`, `prediction` and, optionally, `confidence.<label>` for every class
label (all of them or none). OpenML's Java evaluator also accepts `repeat_nr`/`fold_nr`, and the
split file says `rowid`; we do not, but a missing column's message names such a near miss so the
fix is one rename. Other columns (`sample`, `correct`, `truth`, anything else) are ignored.
Labels match exactly: `A` or ` a` is not `a`. Ids may be written as floats when integral
(ARFF `NUMERIC` reads as float) and as text when the text is a number (a CSV column with one bad
id reads as text; only the bad ids are reported). The predicted label need not be the argmax of
the confidences: OpenML does not require it, ties make argmax ambiguous, and thresholded or
cost-sensitive models legitimately disagree with it; scoring uses each column for its own measures.

Every check is a numpy/pyarrow operation over whole columns: matching a million predictions
against the split is one lookup in `Splits.assignment` (the fold testing each row) and one sort
for duplicates and the canonical order, never a Python loop per row nor the split's long format.
Problems come in the order of `PREDICTION_CODES`, then by row; ids that are not valid are left out
of the split checks, so their test rows are also reported among the `missing_rows`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tunebench.engine.errors import DataFormatError
from tunebench.engine.readers import read_column_names, read_table
from tunebench.engine.sniff import sniff_format

if TYPE_CHECKING:
    from tunebench.engine.splits import Splits

TASK_CLASSIFICATION = 1
TASK_REGRESSION = 2

ID_COLUMNS = ("repeat", "fold", "row_id")
PREDICTION_COLUMN = "prediction"
CONFIDENCE_PREFIX = "confidence."
SUM_TOLERANCE = 1e-6
MAX_PROBLEMS = 20
MISSING_EXAMPLES = 5

# Every code, in the order problems are reported: `PredictionsError.code` is the first one found,
# so the most specific cause wins (a row moved to another fold is `wrong_fold`, although its
# original place is then also among the `missing_rows`).
PREDICTION_CODES = (
    "missing_column",
    "duplicate_column",
    "unknown_column",
    "empty",
    "bad_type",
    "out_of_range",
    "unknown_label",
    "non_finite",
    "bad_probability",
    "probabilities_do_not_sum_to_one",
    "wrong_fold",
    "duplicate_row",
    "missing_rows",
)
_PRIORITY = {code: index for index, code in enumerate(PREDICTION_CODES)}
_NAN_SPELLINGS = pa.array(["nan", "+nan", "-nan"])


@dataclass(frozen=True)
class Problem:
    """One problem: `row` is the 1-based data row of the predictions file (header excluded)."""

    code: str
    message: str
    row: int | None = None
    column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "row": self.row, "column": self.column}


class PredictionsError(ValueError):
    """The predictions do not fit the task; `code` is the first problem's, `problems` the first
    `MAX_PROBLEMS` in report order, `counts` how many of each code were found in all."""

    def __init__(self, problems: list[Problem], counts: dict[str, int] | None = None) -> None:
        assert problems, "a PredictionsError needs at least one Problem"
        for problem in problems:
            assert problem.code in _PRIORITY, f"unknown code {problem.code!r}: add it to CODES"
        self.problems = list(problems)
        self.counts = dict(counts) if counts else _count(problems)
        self.code = self.problems[0].code
        self.message = _summary(self.problems, self.counts)
        super().__init__(self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (PredictionsError, (self.problems, self.counts))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the server stores on a rejected run and the API returns."""
        return {
            "code": self.code,
            "message": self.message,
            "counts": self.counts,
            "problems": [problem.to_dict() for problem in self.problems],
        }


@dataclass(frozen=True)
class Predictions:
    """Validated predictions, one per test row of the task, sorted by (repeat, fold, row_id).

    Classification: `y_pred` holds class codes (indexes into the task's `class_labels`) and
    `proba` the confidences in `class_labels` order, or None when the file gave none.
    Regression: `y_pred` is float64 and `proba` None.
    """

    repeat: np.ndarray  # int32
    fold: np.ndarray  # int32
    row_id: np.ndarray  # int64
    y_pred: np.ndarray  # int64 class codes, or float64
    proba: np.ndarray | None  # (n, k) float64


def read_predictions(path: str | os.PathLike[str], *, max_rows: int | None = None) -> pa.Table:
    """Read a predictions file as a table; file-level problems raise `DataFormatError`.

    A file with a header and no rows reads as a zero-row table, so that validation reports it as
    `empty` alongside any column problem rather than as an unreadable file.
    """
    fmt = sniff_format(path)
    try:
        return read_table(path, fmt, max_rows=max_rows).table
    except DataFormatError as exc:
        if exc.code != "no_rows":
            raise
    names = read_column_names(path, fmt)
    return pa.table({name: pa.array([], pa.string()) for name in names})


def validate_predictions(
    table: pa.Table,
    splits: Splits,
    *,
    task_type: int,
    class_labels: list[str] | None,
) -> Predictions:
    """Check every rule of the module docstring; raise `PredictionsError` with all problems found.

    Column problems stop validation (nothing else can be checked without the columns), as does an
    empty table; all row-level and split-level problems are then collected together.
    """
    assert task_type in (TASK_CLASSIFICATION, TASK_REGRESSION), (
        f"task_type must be {TASK_CLASSIFICATION} (classification) or {TASK_REGRESSION} "
        f"(regression), got {task_type!r}"
    )
    classification = task_type == TASK_CLASSIFICATION
    labels: list[str] = []
    if classification:
        assert class_labels, "a classification task needs its class_labels"
        assert len(set(class_labels)) == len(class_labels), "class_labels must be distinct"
        labels = [str(label) for label in class_labels]
    found = _Found()

    confidence_columns = _check_columns(table, labels, found)
    found.raise_if_any()
    if table.num_rows == 0:
        found.add("empty", "the table has no rows: there is nothing to score.")
        found.raise_if_any()

    ids = {name: _ids(table, name, splits, found) for name in ID_COLUMNS}
    y_pred = _labels(table, labels, found) if classification else _regression(table, found)
    proba = _probabilities(table, confidence_columns, found) if confidence_columns else None
    order = _match(ids, splits, found)
    found.raise_if_any()

    return Predictions(
        repeat=ids["repeat"][order].astype(np.int32),
        fold=ids["fold"][order].astype(np.int32),
        row_id=ids["row_id"][order],
        y_pred=y_pred[order],
        proba=None if proba is None else proba[order],
    )


# -- columns ------------------------------------------------------------------------------------


def _check_columns(table: pa.Table, labels: list[str], found: _Found) -> list[str]:
    """Check the required and confidence columns; return the confidence names in label order."""
    names = table.column_names
    seen: set[str] = set()
    for name in names:
        if name in seen:
            found.add("duplicate_column", f"Column {name!r} appears more than once.", column=name)
        seen.add(name)
    for name in (*ID_COLUMNS, PREDICTION_COLUMN):
        if name not in seen:
            found.add("missing_column", _missing_message(name, names), column=name)
    wanted = [CONFIDENCE_PREFIX + label for label in labels]
    given = [name for name in names if name.startswith(CONFIDENCE_PREFIX)]
    for name in given:
        if name not in wanted:
            found.add(
                "unknown_column",
                (
                    f"Column {name!r} is the confidence of a class that is not one of the "
                    f"task's classes ({_shown(labels)}); labels must match exactly."
                    if labels
                    else f"Column {name!r} gives a class confidence, but a regression task has "
                    "no classes: drop it."
                ),
                column=name,
            )
    if any(name in seen for name in wanted):
        for name in wanted:
            if name not in seen:
                found.add(
                    "missing_column",
                    f"Confidence columns are given for some classes but not {name!r}: give one "
                    "for every class, or none.",
                    column=name,
                )
        return wanted
    return []


def _shown(labels: list[str]) -> str:
    return ", ".join(map(repr, labels[:10])) + (", ..." if len(labels) > 10 else "")


def _normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower().removesuffix("_nr"))


def _missing_message(name: str, names: list[str]) -> str:
    near = [other for other in names if _normalised(other) == _normalised(name)]
    hint = f" The file has {near[0]!r}: rename it to {name!r}." if near else ""
    return f"The required column {name!r} is missing.{hint}"


# -- values -------------------------------------------------------------------------------------


def _column(table: pa.Table, name: str) -> pa.Array:
    column = table.column(name).combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    return column


def _as_float(column: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, is_null, is_wrong_type): floats with NaN where null or not a number."""
    n = len(column)
    is_null = column.is_null().to_numpy(zero_copy_only=False)
    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        values = pc.cast(column, pa.float64(), safe=False).fill_null(np.nan).to_numpy()
        return values, is_null, np.zeros(n, dtype=bool)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        try:  # all numbers: pyarrow parses them ten times faster than pandas
            values = pc.cast(column, pa.float64()).fill_null(np.nan).to_numpy()
            return values, is_null, np.zeros(n, dtype=bool)
        except pa.ArrowInvalid:
            pass  # some are not: pandas marks exactly those NaN
        text = column.to_numpy(zero_copy_only=False)
        values = pd.to_numeric(pd.Series(text, dtype=object), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        # "nan" is a number that is not finite (as pyarrow parses it), not text.
        spelled_nan = pc.is_in(pc.utf8_lower(pc.utf8_trim_whitespace(column)), _NAN_SPELLINGS)
        spelled_nan = spelled_nan.fill_null(False).to_numpy(zero_copy_only=False)
        return values, is_null, np.isnan(values) & ~is_null & ~spelled_nan
    if pa.types.is_null(kind):
        return np.full(n, np.nan), np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    return np.full(n, np.nan), is_null, ~is_null


def _ids(table: pa.Table, name: str, splits: Splits, found: _Found) -> np.ndarray:
    """The column as int64; rows that are not valid ids are reported and set to -1."""
    column = _column(table, name)
    values, is_null, wrong_type = _as_float(column)
    integral = np.isfinite(values) & (values == np.floor(values))
    bad_type = ~integral
    found.rows(
        "bad_type",
        bad_type,
        name,
        lambda i: (
            f"{name} is missing."
            if is_null[i]
            else f"{name} {column[i].as_py()!r} is not an integer"
            + (f" (the column holds {column.type})." if wrong_type[i] else ".")
        ),
    )
    limit = _limits(splits)[name]
    outside = integral & ((values < 0) | (values >= limit))
    found.rows(
        "out_of_range",
        outside,
        name,
        lambda i: f"{name} {values[i]:.0f} is outside the task's range 0..{limit - 1}.",
    )
    return np.where(integral & ~outside, values, -1).astype(np.int64)


def _limits(splits: Splits) -> dict[str, int]:
    return {"repeat": int(splits.repeats), "fold": int(splits.folds), "row_id": splits.n_rows}


def _labels(table: pa.Table, labels: list[str], found: _Found) -> np.ndarray:
    column = _column(table, PREDICTION_COLUMN)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        # CSV has no types: a label `1` reads as a number and compares as its text, "1".
        column = pc.cast(column, pa.string())
    codes = pc.index_in(column, value_set=pa.array(labels, pa.string()))
    unknown = codes.is_null().to_numpy(zero_copy_only=False)
    found.rows(
        "unknown_label",
        unknown,
        PREDICTION_COLUMN,
        lambda i: (
            "The prediction is missing."
            if column[i].as_py() is None
            else f"The prediction {column[i].as_py()!r} is not one of the task's classes "
            f"({_shown(labels)}); labels must match exactly."
        ),
    )
    return codes.fill_null(-1).to_numpy().astype(np.int64)


def _regression(table: pa.Table, found: _Found) -> np.ndarray:
    column = _column(table, PREDICTION_COLUMN)
    values, _, wrong_type = _as_float(column)
    found.rows(
        "bad_type",
        wrong_type,
        PREDICTION_COLUMN,
        lambda i: f"The prediction {column[i].as_py()!r} is not a number.",
    )
    found.rows(
        "non_finite",
        ~np.isfinite(values) & ~wrong_type,
        PREDICTION_COLUMN,
        lambda i: (
            "The prediction is missing."
            if column[i].as_py() is None
            else f"The prediction {values[i]} is not a finite number."
        ),
    )
    return values


def _probabilities(table: pa.Table, names: list[str], found: _Found) -> np.ndarray:
    proba = np.empty((table.num_rows, len(names)), dtype=np.float64)
    usable = np.ones(table.num_rows, dtype=bool)
    for k, name in enumerate(names):
        column = _column(table, name)
        values, is_null, wrong_type = _as_float(column)
        found.rows(
            "bad_type",
            wrong_type,
            name,
            lambda i, column=column, name=name: f"{name} {column[i].as_py()!r} is not a number.",
        )
        bad = ~wrong_type & ~((values >= 0) & (values <= 1))  # NaN fails both comparisons
        found.rows(
            "bad_probability",
            bad,
            name,
            lambda i, values=values, is_null=is_null, name=name: (
                f"{name} is missing."
                if is_null[i]
                else f"{name} {values[i]} is not a probability between 0 and 1."
            ),
        )
        usable &= ~(bad | wrong_type)
        proba[:, k] = values
    totals = proba.sum(axis=1, where=usable[:, None])
    off = usable & (np.abs(totals - 1.0) > SUM_TOLERANCE)
    found.rows(
        "probabilities_do_not_sum_to_one",
        off,
        None,
        lambda i: (
            f"The confidences sum to {float(totals[i])!r}, not 1 (tolerance {SUM_TOLERANCE:g})."
        ),
    )
    return proba


# -- matching against the split ----------------------------------------------------------------


def _match(ids: dict[str, np.ndarray], splits: Splits, found: _Found) -> np.ndarray:
    """Report wrong_fold, duplicate_row and missing_rows; return the rows in canonical order.

    `splits.assignment[repeat, row_id]` is the fold testing that row, so matching a prediction is
    one fancy-indexing lookup; duplicates are equal neighbours after one sort of the keys
    (repeat, fold, row_id) packed into an int64, which is also the canonical order. The split's
    long format (repeats x folds x n lines) is never built.
    """
    assignment = splits.assignment
    folds, n = int(splits.folds), splits.n_rows
    repeat, fold, row_id = ids["repeat"], ids["fold"], ids["row_id"]
    valid = (repeat >= 0) & (fold >= 0) & (row_id >= 0)
    tested_in = np.full(len(row_id), -1, dtype=np.int64)
    tested_in[valid] = assignment[repeat[valid], row_id[valid]]
    hit = valid & (tested_in == fold)
    found.rows(
        "wrong_fold",
        valid & ~hit,
        "fold",
        lambda i: (
            f"row_id {row_id[i]} is not in the test set of repeat {repeat[i]}, fold {fold[i]} "
            + (
                f"(it is tested in fold {tested_in[i]})."
                if tested_in[i] >= 0
                else "(it is never tested in this repeat)."
            )
        ),
    )

    keys = (repeat * folds + fold) * n + row_id
    hit_rows = np.flatnonzero(hit)
    order = hit_rows[np.argsort(keys[hit_rows], kind="stable")]
    sorted_keys = keys[order]
    repeated = sorted_keys[1:] == sorted_keys[:-1]
    again = np.zeros(len(keys), dtype=bool)
    again[order[1:][repeated]] = True
    # The stable sort keeps file order among equal keys, so each run of a key starts with its
    # first occurrence: carry that start forward to name it in the message.
    starts = np.maximum.accumulate(
        np.where(np.r_[True, ~repeated][: len(order)], np.arange(len(order)), 0)
    )
    first_row = np.zeros(len(keys), dtype=np.int64)
    first_row[order] = order[starts]
    found.rows(
        "duplicate_row",
        again,
        "row_id",
        lambda i: (
            f"(repeat {repeat[i]}, fold {fold[i]}, row_id {row_id[i]}) is predicted twice; "
            f"the first is at row {first_row[i] + 1}."
        ),
    )

    present = np.zeros(assignment.shape, dtype=bool)
    present[repeat[hit], row_id[hit]] = True
    missing_repeat, missing_row = np.nonzero((assignment >= 0) & ~present)
    if len(missing_row):
        missing_fold = assignment[missing_repeat, missing_row]
        first = np.lexsort((missing_row, missing_fold, missing_repeat))[:MISSING_EXAMPLES]
        examples = ", ".join(
            f"(repeat {missing_repeat[j]}, fold {missing_fold[j]}, row_id {missing_row[j]})"
            for j in first
        )
        more = ", ..." if len(missing_row) > MISSING_EXAMPLES else ""
        tested = int(np.count_nonzero(assignment >= 0))
        found.add(
            "missing_rows",
            f"{len(missing_row):,} of the task's {tested:,} test rows have no prediction: "
            f"{examples}{more}.",
        )
    return order[~again[order]]


# -- collecting problems ------------------------------------------------------------------------


class _Found:
    """Problems so far: up to MAX_PROBLEMS examples per code, and the count of each code."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.counts: dict[str, int] = {}

    def add(self, code: str, message: str, *, row: int | None = None, column: str | None = None):
        self.counts[code] = self.counts.get(code, 0) + 1
        if self.counts[code] <= MAX_PROBLEMS:
            self.problems.append(Problem(code, message, row, column))

    def rows(
        self, code: str, mask: np.ndarray, column: str | None, message: Callable[[int], str]
    ) -> None:
        """Report each row where `mask` holds; messages only for the first few (they are slow)."""
        bad = np.flatnonzero(mask)
        if not len(bad):
            return
        for i in bad[:MAX_PROBLEMS]:
            self.problems.append(Problem(code, message(int(i)), int(i) + 1, column))
        self.counts[code] = self.counts.get(code, 0) + len(bad)

    def raise_if_any(self) -> None:
        if self.problems:
            ordered = sorted(
                self.problems,
                key=lambda p: (_PRIORITY[p.code], p.row if p.row is not None else 0),
            )
            raise PredictionsError(ordered[:MAX_PROBLEMS], self.counts)


def _count(problems: list[Problem]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for problem in problems:
        counts[problem.code] = counts.get(problem.code, 0) + 1
    return counts


def _summary(problems: list[Problem], counts: dict[str, int]) -> str:
    total = sum(counts.values())
    first = problems[0]
    where = f"row {first.row}: " if first.row is not None else ""
    if total == 1:
        return f"The predictions were rejected: {where}{first.message}"
    kinds = ", ".join(
        f"{counts[code]:,} {code}" for code in sorted(counts, key=_PRIORITY.__getitem__)
    )
    return f"The predictions have {total:,} problems ({kinds}); the first: {where}{first.message}"
