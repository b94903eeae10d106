"""Predictions: reading by content, every validation rule with its code and row, the shared bad
corpus (tests/corpus/predictions/bad), one-mutation properties and format independence."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tunebench.engine import DataFormatError
from tunebench.engine.predictions import (
    MAX_PROBLEMS,
    PREDICTION_CODES,
    Predictions,
    PredictionsError,
    Problem,
    read_predictions,
    validate_predictions,
)
from tunebench.engine.splits import Splits

CORPUS = Path(__file__).resolve().parents[3] / "tests" / "corpus" / "predictions" / "bad"
BAD = json.loads((CORPUS / "expected.json").read_text())

# The fixed task the corpus is written for: 30 rows, classes a/b/c, one repeat of 3-fold CV in
# which row i is tested in fold FOLD_OF_ROW[i] (ten rows per fold).
N_ROWS = 30
LABELS = ["a", "b", "c"]
FOLD_OF_ROW = (
    0, 2, 1, 1, 0, 2, 2, 1, 0, 0,
    1, 2, 0, 2, 1, 0, 1, 2, 2, 0,
    1, 0, 2, 1, 0, 1, 2, 0, 2, 1,
)  # fmt: skip
SPLITS = Splits(repeats=1, folds=3, assignment=np.array([FOLD_OF_ROW], dtype=np.int32))
CONFIDENCE = [f"confidence.{label}" for label in LABELS]


def valid_frame(splits: Splits = SPLITS, *, regression: bool = False) -> pd.DataFrame:
    """One prediction per test row in canonical order; row i predicts LABELS[i % 3] at 0.5."""
    repeat, fold, row_id = [], [], []
    for r, f, _train, test in splits.iter_folds():
        repeat += [r] * len(test)
        fold += [f] * len(test)
        row_id += test.tolist()
    frame = pd.DataFrame({"repeat": repeat, "fold": fold, "row_id": row_id})
    if regression:
        frame["prediction"] = frame["row_id"] * 0.5
        return frame
    codes = frame["row_id"].to_numpy() % 3
    frame["prediction"] = [LABELS[c] for c in codes]
    for k, name in enumerate(CONFIDENCE):
        frame[name] = np.where(codes == k, 0.5, 0.25)
    return frame


def table(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def validate(frame_or_table, splits: Splits = SPLITS, *, task_type: int = 1) -> Predictions:
    data = table(frame_or_table) if isinstance(frame_or_table, pd.DataFrame) else frame_or_table
    labels = LABELS if task_type == 1 else None
    return validate_predictions(data, splits, task_type=task_type, class_labels=labels)


def rejected(frame_or_table, splits: Splits = SPLITS, *, task_type: int = 1) -> PredictionsError:
    with pytest.raises(PredictionsError) as caught:
        validate(frame_or_table, splits, task_type=task_type)
    error = caught.value
    assert error.problems[0].code == error.code
    assert all(p.code in PREDICTION_CODES for p in error.problems)
    return error


# -- the valid case ------------------------------------------------------------------------------


def test_valid_predictions_are_aligned_in_canonical_order():
    """A shuffled, valid table comes back sorted by (repeat, fold, row_id) with codes and proba."""
    frame = valid_frame()
    shuffled = frame.sample(frac=1, random_state=0).reset_index(drop=True)
    result = validate(shuffled)
    assert result.repeat.dtype == np.int32
    assert result.fold.dtype == np.int32
    assert result.row_id.dtype == np.int64
    np.testing.assert_array_equal(result.repeat, frame["repeat"])
    np.testing.assert_array_equal(result.fold, frame["fold"])
    np.testing.assert_array_equal(result.row_id, frame["row_id"])
    np.testing.assert_array_equal(result.y_pred, frame["row_id"] % 3)
    np.testing.assert_array_equal(result.proba, frame[CONFIDENCE].to_numpy())


def test_confidence_columns_are_optional_and_reordered_to_the_class_order():
    """Without confidences proba is None; given in any column order, proba follows class_labels."""
    frame = valid_frame()
    assert validate(frame.drop(columns=CONFIDENCE)).proba is None
    reordered = frame[["confidence.c", "prediction", "row_id", "confidence.a", "fold", "repeat"]]
    reordered = reordered.assign(**{"confidence.b": frame["confidence.b"]})
    np.testing.assert_array_equal(validate(reordered).proba, frame[CONFIDENCE].to_numpy())


def test_openml_python_extra_columns_are_ignored():
    """`sample`, `correct` and any other column are ignored, as OpenML's evaluator does."""
    frame = valid_frame().assign(sample=0, correct="a", note="anything")
    assert len(validate(frame).row_id) == N_ROWS


def test_label_disagreeing_with_argmax_is_accepted():
    """OpenML does not require prediction == argmax(confidence); neither do we."""
    frame = valid_frame()
    frame.loc[0, "prediction"] = "c"  # its confidences favour "a"
    assert validate(frame).y_pred[0] == 2


def test_probabilities_within_tolerance_are_accepted():
    """A sum off by at most 1e-6 is accepted; one off by 2e-6 is not."""
    frame = valid_frame()
    frame.loc[0, "confidence.a"] += 9e-7
    validate(frame)
    frame.loc[0, "confidence.a"] += 2e-6
    assert rejected(frame).code == "probabilities_do_not_sum_to_one"


def test_regression_predictions_are_float64():
    frame = valid_frame(regression=True)
    result = validate(frame, task_type=2)
    assert result.y_pred.dtype == np.float64
    assert result.proba is None
    np.testing.assert_array_equal(result.y_pred, frame["row_id"] * 0.5)


def test_two_repeats_and_holdout_rows_never_tested():
    """Repeats are matched separately; rows a holdout never tests need no prediction."""
    assignment = np.array([[0, 1, 0, 1, -1, -1], [1, 0, 1, -1, 0, -1]], dtype=np.int32)
    splits = Splits(repeats=2, folds=2, assignment=assignment)
    frame = valid_frame(splits)
    result = validate(frame.iloc[::-1], splits)
    assert list(zip(result.repeat, result.fold, result.row_id, strict=True)) == [
        (0, 0, 0), (0, 0, 2), (0, 1, 1), (0, 1, 3), (1, 0, 1), (1, 0, 4), (1, 1, 0), (1, 1, 2),
    ]  # fmt: skip
    never = frame.iloc[:1].assign(row_id=5)
    error = rejected(pd.concat([frame, never]), splits)
    assert error.code == "wrong_fold"
    assert "never tested" in error.problems[0].message


def test_ids_written_as_integral_floats_or_numeric_text_are_accepted():
    """ARFF NUMERIC reads as float and a CSV column with one bad id reads as text."""
    frame = valid_frame()
    frame["row_id"] = frame["row_id"].astype(float)
    frame["fold"] = frame["fold"].astype(str)
    np.testing.assert_array_equal(validate(frame).row_id, valid_frame()["row_id"])


def test_categorical_and_numeric_labels():
    """Dictionary (pandas categorical) predictions decode; numeric labels compare as text."""
    frame = valid_frame()
    frame["prediction"] = frame["prediction"].astype("category")
    np.testing.assert_array_equal(validate(frame).y_pred, frame["row_id"] % 3)
    numeric = valid_frame().drop(columns=CONFIDENCE)
    numeric["prediction"] = numeric["row_id"] % 2
    result = validate_predictions(table(numeric), SPLITS, task_type=1, class_labels=["0", "1"])
    np.testing.assert_array_equal(result.y_pred, numeric["row_id"] % 2)


# -- each rule, with its rows --------------------------------------------------------------------


def test_missing_column_names_a_near_miss():
    """`rowid` (the split file's name) is not accepted, but the message says what to rename."""
    error = rejected(valid_frame().rename(columns={"row_id": "rowid"}))
    assert error.code == "missing_column"
    assert error.problems == [
        Problem(
            "missing_column",
            "The required column 'row_id' is missing. The file has 'rowid': rename it to 'row_id'.",
            None,
            "row_id",
        )
    ]


def test_confidence_for_a_case_variant_label_is_missing_and_unknown():
    error = rejected(valid_frame().rename(columns={"confidence.a": "confidence.A"}))
    assert [(p.code, p.column) for p in error.problems] == [
        ("missing_column", "confidence.a"),
        ("unknown_column", "confidence.A"),
    ]


def test_unknown_confidence_column():
    error = rejected(valid_frame().assign(**{"confidence.d": 0.0}))
    assert [(p.code, p.column) for p in error.problems] == [("unknown_column", "confidence.d")]


def test_empty_table():
    error = rejected(valid_frame().iloc[:0])
    assert error.code == "empty"
    assert error.counts == {"empty": 1}


def test_bad_type_and_out_of_range_report_rows():
    """Row numbers are 1-based data rows; each id column is checked on its own."""
    frame = valid_frame().astype({"row_id": str, "fold": float})  # text, as CSV reads "x"
    frame.loc[2, "row_id"] = "x"
    frame.loc[4, "fold"] = 1.5
    frame.loc[6, "row_id"] = "-1"
    frame.loc[7, "row_id"] = str(N_ROWS)
    error = rejected(frame)
    assert [(p.code, p.row, p.column) for p in error.problems[:4]] == [
        ("bad_type", 3, "row_id"),
        ("bad_type", 5, "fold"),
        ("out_of_range", 7, "row_id"),
        ("out_of_range", 8, "row_id"),
    ]
    # The four rows cannot be matched, so their test rows are also missing.
    assert error.counts == {"bad_type": 2, "out_of_range": 2, "missing_rows": 1}
    assert error.problems[4].message.startswith("4 of the task's 30 test rows have no prediction")


def test_wrong_fold_says_where_the_row_is_tested():
    frame = valid_frame()
    frame.loc[0, "fold"] = 1  # row 0 is tested in fold 0
    error = rejected(frame)
    assert error.problems == [
        Problem(
            "wrong_fold",
            "row_id 0 is not in the test set of repeat 0, fold 1 (it is tested in fold 0).",
            1,
            "fold",
        ),
        Problem(
            "missing_rows",
            "1 of the task's 30 test rows have no prediction: (repeat 0, fold 0, row_id 0).",
            None,
            None,
        ),
    ]


def test_duplicate_row_names_the_first_occurrence():
    frame = valid_frame()
    frame = pd.concat([frame, frame.iloc[[3]]], ignore_index=True)
    error = rejected(frame)
    assert [(p.code, p.row) for p in error.problems] == [("duplicate_row", 31)]
    assert error.problems[0].message == (
        "(repeat 0, fold 0, row_id 9) is predicted twice; the first is at row 4."
    )


def test_missing_rows_counts_and_shows_the_first_few():
    error = rejected(valid_frame().iloc[7:])
    assert error.problems == [
        Problem(
            "missing_rows",
            "7 of the task's 30 test rows have no prediction: (repeat 0, fold 0, row_id 0), "
            "(repeat 0, fold 0, row_id 4), (repeat 0, fold 0, row_id 8), (repeat 0, fold 0, "
            "row_id 9), (repeat 0, fold 0, row_id 12), ....",
            None,
            None,
        )
    ]


@pytest.mark.parametrize("label", ["A", "a ", " a", "d", None, ""])
def test_unknown_label_exact_match_only(label):
    frame = valid_frame()
    frame.loc[5, "prediction"] = label
    error = rejected(frame)
    assert [(p.code, p.row, p.column) for p in error.problems] == [
        ("unknown_label", 6, "prediction")
    ]


@pytest.mark.parametrize("value", [-0.25, 1.5, np.nan, np.inf, -np.inf, None])
def test_bad_probability(value):
    frame = valid_frame()
    frame["confidence.b"] = frame["confidence.b"].astype(object)
    frame.loc[5, "confidence.b"] = value
    error = rejected(frame)
    # The row's sum is not checked again: one cause, one problem.
    assert [(p.code, p.row, p.column) for p in error.problems] == [
        ("bad_probability", 6, "confidence.b")
    ]


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, None])
def test_regression_non_finite(value):
    frame = valid_frame(regression=True)
    frame["prediction"] = frame["prediction"].astype(object)
    frame.loc[9, "prediction"] = value
    error = rejected(frame, task_type=2)
    assert [(p.code, p.row) for p in error.problems] == [("non_finite", 10)]


def test_regression_rejects_confidence_columns():
    error = rejected(valid_frame(regression=True).assign(**{"confidence.a": 1.0}), task_type=2)
    assert error.code == "unknown_column"


def test_problems_are_capped_but_counted():
    """At most MAX_PROBLEMS problems are listed; `counts` and the message count them all."""
    frame = valid_frame()
    frame["prediction"] = "z"
    error = rejected(frame)
    assert len(error.problems) == MAX_PROBLEMS
    assert error.counts == {"unknown_label": 30}
    assert error.message.startswith("The predictions have 30 problems (30 unknown_label)")
    assert [p.row for p in error.problems] == list(range(1, MAX_PROBLEMS + 1))


def test_error_pickles_and_serialises():
    """The server stores `to_dict()`; Celery may pickle the error, which goes through
    `__reduce__` exactly as `copy.copy` does (pickle itself is banned in this repository)."""
    frame = valid_frame()
    frame.loc[0, "fold"] = 2
    error = rejected(frame)
    again = copy.copy(error)
    assert (again.code, again.problems, again.counts) == (error.code, error.problems, error.counts)
    assert error.to_dict() == {
        "code": "wrong_fold",
        "message": error.message,
        "counts": {"wrong_fold": 1, "missing_rows": 1},
        "problems": [p.to_dict() for p in error.problems],
    }


def test_a_million_shuffled_predictions_validate_and_come_back_in_canonical_order():
    """A million rows in 10 folds (speed is the benchmarks' business, never a test's)."""
    n = 1_000_000
    assignment = (np.arange(n, dtype=np.int32) * 7919 % 10).reshape(1, n)
    splits = Splits(repeats=1, folds=10, assignment=assignment)
    rng = np.random.default_rng(0)
    order = rng.permutation(n)
    proba = rng.dirichlet(np.ones(3), size=n)
    data = pa.table(
        {
            "repeat": np.zeros(n, dtype=np.int64),
            "fold": assignment[0][order].astype(np.int64),
            "row_id": order.astype(np.int64),
            "prediction": pa.array(np.array(LABELS)[proba.argmax(axis=1)]),
            **{name: proba[:, k] for k, name in enumerate(CONFIDENCE)},
        }
    )
    result = validate_predictions(data, splits, task_type=1, class_labels=LABELS)
    assert len(result.row_id) == n
    assert np.all(np.diff(result.fold) >= 0)
    broken = data.set_column(2, "row_id", pa.array(np.r_[order[:-1], order[0]]))
    with pytest.raises(PredictionsError) as caught:
        validate_predictions(broken, splits, task_type=1, class_labels=LABELS)
    assert caught.value.counts in (
        {"wrong_fold": 1, "missing_rows": 1},
        {"duplicate_row": 1, "missing_rows": 1},
    )


# -- the shared corpus ---------------------------------------------------------------------------


def test_every_corpus_file_is_listed():
    assert {p.name for p in CORPUS.iterdir() if p.name != "expected.json"} == set(BAD)


@pytest.mark.parametrize(("name", "code"), sorted(BAD.items()))
def test_bad_corpus_file(name, code):
    """Each file has one mutation of a valid file for the fixed task; regression_* files are for
    the same split as a regression task. File-level problems are DataFormatErrors."""
    task_type = 2 if name.startswith("regression_") else 1
    with pytest.raises((PredictionsError, DataFormatError)) as caught:
        validate(read_predictions(CORPUS / name), task_type=task_type)
    assert caught.value.code == code, str(caught.value)
    assert str(caught.value)


# -- formats -------------------------------------------------------------------------------------


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    pq.write_table(table(frame), path)
    return path


def write_arff(frame: pd.DataFrame, path: Path) -> Path:
    """The layout openml-python's `_generate_arff_dict` writes (ids NUMERIC, labels nominal)."""
    lines = ["% Created by run_flow_on_task", "@RELATION openml_task_1_predictions"]
    for name in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[name]):
            lines.append(f"@ATTRIBUTE {name} {{{', '.join(LABELS)}}}")
        else:
            lines.append(f"@ATTRIBUTE {name} NUMERIC")
    lines.append("@DATA")
    body = frame.to_csv(index=False, header=False, na_rep="?")
    path.write_text("\n".join(lines) + "\n" + body)
    return path


WRITERS = {"csv": write_csv, "arff": write_arff, "parquet": write_parquet}


def read_as(frame: pd.DataFrame, fmt: str, tmp_path: Path) -> pa.Table:
    return read_predictions(WRITERS[fmt](frame, tmp_path / f"predictions.{fmt}"))


@pytest.mark.parametrize("regression", [False, True])
def test_the_same_predictions_validate_identically_in_every_format(tmp_path, regression):
    frame = valid_frame(regression=regression).sample(frac=1, random_state=1)
    task_type = 2 if regression else 1
    results = [validate(read_as(frame, fmt, tmp_path), task_type=task_type) for fmt in WRITERS]
    for result in results[1:]:
        for field in ("repeat", "fold", "row_id", "y_pred", "proba"):
            np.testing.assert_array_equal(getattr(result, field), getattr(results[0], field))


@pytest.mark.parametrize(
    ("mutation", "code"),
    [
        (lambda f: f.assign(fold=np.where(f.index == 3, 2 - f["fold"], f["fold"])), "wrong_fold"),
        (lambda f: pd.concat([f, f.iloc[[0]]]), "duplicate_row"),
        (lambda f: f.assign(**{"confidence.a": f["confidence.a"] + 1.0}), "bad_probability"),
        (lambda f: f.assign(row_id=f["row_id"] + 0.5), "bad_type"),
    ],
)  # fmt: skip
def test_the_same_problems_are_found_in_every_format(tmp_path, mutation, code):
    frame = mutation(valid_frame())
    errors = []
    for fmt in WRITERS:
        with pytest.raises(PredictionsError) as caught:
            validate(read_as(frame, fmt, tmp_path))
        errors.append(caught.value)
    assert errors[0].code == code
    for error in errors[1:]:
        assert (error.counts, [(p.code, p.row, p.column) for p in error.problems]) == (
            errors[0].counts,
            [(p.code, p.row, p.column) for p in errors[0].problems],
        )


def test_header_only_file_is_empty_not_unreadable(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("repeat,fold,row_id,prediction\n")
    data = read_predictions(path)
    assert (data.num_rows, data.column_names) == (0, ["repeat", "fold", "row_id", "prediction"])
    assert rejected(data).code == "empty"


# -- one mutation, one code (reliability checklist F4) -------------------------------------------

MUTATIONS = (
    "drop_row",
    "duplicate_row",
    "refold",
    "negative_probability",
    "probability_above_one",
    "nan_probability",
    "probabilities_off",
    "relabel",
    "fractional_id",
    "id_out_of_range",
    "drop_column",
    "unknown_confidence",
    "drop_all_rows",
)
EXPECTED = {
    "drop_row": "missing_rows",
    "duplicate_row": "duplicate_row",
    "refold": "wrong_fold",
    "negative_probability": "bad_probability",
    "probability_above_one": "bad_probability",
    "nan_probability": "bad_probability",
    "probabilities_off": "probabilities_do_not_sum_to_one",
    "relabel": "unknown_label",
    "fractional_id": "bad_type",
    "id_out_of_range": "out_of_range",
    "drop_column": "missing_column",
    "unknown_confidence": "unknown_column",
    "drop_all_rows": "empty",
}


@st.composite
def prediction_frames(draw) -> pd.DataFrame:
    """A valid table for the fixed task: random confidences, argmax label, shuffled rows."""
    frame = valid_frame()
    weights = draw(
        st.lists(st.lists(st.integers(1, 1000), min_size=3, max_size=3), min_size=30, max_size=30)
    )
    proba = np.array(weights, dtype=np.float64)
    proba /= proba.sum(axis=1, keepdims=True)
    for k, name in enumerate(CONFIDENCE):
        frame[name] = proba[:, k]
    frame["prediction"] = np.array(LABELS)[proba.argmax(axis=1)]
    order = draw(st.permutations(range(len(frame))))
    return frame.iloc[list(order)].reset_index(drop=True)


def mutate(frame: pd.DataFrame, mutation: str, i: int, data) -> pd.DataFrame:
    frame = frame.copy()
    match mutation:
        case "drop_row":
            return frame.drop(index=i)
        case "duplicate_row":
            return pd.concat([frame, frame.iloc[[i]]], ignore_index=True)
        case "refold":
            frame.loc[i, "fold"] = (frame.loc[i, "fold"] + data.draw(st.integers(1, 2))) % 3
        case "negative_probability":
            column = data.draw(st.sampled_from(CONFIDENCE))
            frame.loc[i, column] = -data.draw(st.floats(1e-9, 1e300))
        case "probability_above_one":
            column = data.draw(st.sampled_from(CONFIDENCE))
            frame.loc[i, column] = 1 + data.draw(st.floats(1e-9, 1e300))
        case "nan_probability":
            column = data.draw(st.sampled_from(CONFIDENCE))
            frame.loc[i, column] = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        case "probabilities_off":
            value = data.draw(st.floats(0, 1).filter(lambda v: abs(3 * v - 1) > 1e-5))
            frame.loc[i, CONFIDENCE] = value
        case "relabel":
            label = str(frame.loc[i, "prediction"])
            frame.loc[i, "prediction"] = data.draw(
                st.sampled_from([label.upper(), f" {label}", f"{label} ", f"{label}\t", "d", ""])
            )
        case "fractional_id":
            column = data.draw(st.sampled_from(["repeat", "fold", "row_id"]))
            frame[column] = frame[column].astype(float)
            frame.loc[i, column] += data.draw(st.sampled_from([0.5, 0.25, 1e-6, -0.5]))
        case "id_out_of_range":
            column = data.draw(st.sampled_from(["repeat", "fold", "row_id"]))
            limit = {"repeat": 1, "fold": 3, "row_id": N_ROWS}[column]
            frame.loc[i, column] = data.draw(
                st.one_of(st.integers(-(2**40), -1), st.integers(limit, 2**40))
            )
        case "drop_column":
            column = data.draw(
                st.sampled_from(["repeat", "fold", "row_id", "prediction", *CONFIDENCE])
            )
            return frame.drop(columns=column)
        case "unknown_confidence":
            label = data.draw(st.text(min_size=1, max_size=5).filter(lambda s: s not in LABELS))
            frame[f"confidence.{label}"] = 0.0
        case "drop_all_rows":
            return frame.iloc[:0]
    return frame


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=prediction_frames(), mutation=st.sampled_from(MUTATIONS), data=st.data())
def test_one_mutation_gives_its_code(frame, mutation, data):
    """F4: a valid table validates to itself sorted; one mutation gives exactly its code."""
    result = validate(frame)
    expected = frame.sort_values(["repeat", "fold", "row_id"], ignore_index=True)
    np.testing.assert_array_equal(result.row_id, expected["row_id"])
    np.testing.assert_array_equal(result.fold, expected["fold"])
    np.testing.assert_array_equal(result.y_pred, expected["prediction"].map(LABELS.index))
    np.testing.assert_array_equal(result.proba, expected[CONFIDENCE].to_numpy())

    i = data.draw(st.integers(0, len(frame) - 1))
    mutated = mutate(frame, mutation, i, data)
    with pytest.raises(PredictionsError) as caught:
        validate(mutated)
    assert caught.value.code == EXPECTED[mutation], str(caught.value)
    # Besides its own code, a mutation may only leave the test row it displaced unpredicted.
    assert set(caught.value.counts) <= {EXPECTED[mutation], "missing_rows"}


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.floats(allow_nan=True, allow_infinity=True) | st.none(), min_size=30, max_size=30
    )
)
def test_regression_accepts_exactly_the_finite_values(values):
    frame = valid_frame(regression=True)
    frame["prediction"] = pd.array(values, dtype="Float64").astype(object)
    bad = [i + 1 for i, v in enumerate(values) if v is None or not np.isfinite(v)]
    if not bad:
        np.testing.assert_array_equal(validate(frame, task_type=2).y_pred, values)
        return
    error = rejected(frame, task_type=2)
    assert error.counts == {"non_finite": len(bad)}
    assert [p.row for p in error.problems] == bad[:MAX_PROBLEMS]
