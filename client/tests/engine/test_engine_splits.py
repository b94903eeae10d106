"""Splits: OpenML estimation procedures, invariants, canonical files, golden hashes, errors."""

from __future__ import annotations

import hashlib
import pickle  # noqa: TID251 - only to check SplitError survives Celery-style pickling
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tunebench.engine import DataFormatError
from tunebench.engine.splits import (
    PROCEDURES,
    SPLIT_CODES,
    Procedure,
    SplitError,
    Splits,
    _order_by_keys,
    _stream,
    generate_splits,
    get_procedure,
    read_splits_parquet,
    splits_table,
    write_splits_arff,
    write_splits_csv,
    write_splits_parquet,
)

IRIS = np.repeat(np.array(["Iris-setosa", "Iris-versicolor", "Iris-virginica"]), 50)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_valid(splits: Splits, n: int, procedure: Procedure) -> None:
    """The invariants every split set keeps, whatever the procedure."""
    assert splits.assignment.shape == (splits.repeats, n)
    seen = Counter()
    for repeat, _fold, train, test in splits.iter_folds():
        assert np.all(np.diff(train) > 0)
        assert np.all(np.diff(test) > 0)
        assert len(np.intersect1d(train, test)) == 0
        assert np.array_equal(np.union1d(train, test), np.arange(n))
        assert len(test) >= 1
        assert len(train) >= 1
        seen.update((repeat, int(row)) for row in test)
    if procedure.kind != "holdout":
        # Cross-validation and leave-one-out test every row exactly once per repeat.
        assert seen == Counter({(r, i): 1 for r in range(splits.repeats) for i in range(n)})


# --- procedures ------------------------------------------------------------------------------


def test_procedures_are_openml_ids_with_the_10_percent_holdout_fixed() -> None:
    """The engine supports OpenML's ids 1-12 and 25, with 10 (not the seed's 33) for 5 and 11."""
    assert sorted(PROCEDURES) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 25]
    assert PROCEDURES[5].percentage == 10.0
    assert PROCEDURES[11].percentage == 10.0
    assert PROCEDURES[6].percentage == 33.0
    assert (PROCEDURES[3].repeats, PROCEDURES[3].folds) == (10, 10)
    assert (PROCEDURES[2].repeats, PROCEDURES[2].folds) == (5, 2)
    assert PROCEDURES[25].folds == 4
    assert all(
        p.stratified == (p.task_type == 1 and p.kind != "leaveoneout") for p in PROCEDURES.values()
    )
    assert all(p.id == key for key, p in PROCEDURES.items())


def test_get_procedure_unknown_id_raises_unknown_procedure() -> None:
    """An id the engine cannot generate (e.g. learning curves, 13) is a SplitError."""
    assert get_procedure(7) is PROCEDURES[7]
    with pytest.raises(SplitError) as caught:
        get_procedure(13)
    assert caught.value.code == "unknown_procedure"
    assert caught.value.field == "estimation_procedure"


# --- cross-validation ------------------------------------------------------------------------


def test_stratified_10_fold_on_iris_keeps_5_of_each_class_per_fold() -> None:
    """150 rows 50/50/50: every test fold has 15 rows, 5 of each class."""
    splits = generate_splits(150, PROCEDURES[1], seed=0, target=IRIS)
    _assert_valid(splits, 150, PROCEDURES[1])
    assert (splits.repeats, splits.folds) == (1, 10)
    for _, _, train, test in splits.iter_folds():
        assert len(test) == 15
        assert len(train) == 135
        assert Counter(IRIS[test].tolist()) == dict.fromkeys(set(IRIS.tolist()), 5)


def test_stratified_folds_keep_class_counts_within_one_and_sizes_within_one() -> None:
    """Unbalanced classes: per fold, each class has floor or ceil(count/folds) rows."""
    target = np.array([0] * 37 + [1] * 23 + [2] * 11 + [3] * 10)
    splits = generate_splits(len(target), PROCEDURES[3], seed=5, target=target)
    _assert_valid(splits, len(target), PROCEDURES[3])
    for repeat in range(splits.repeats):
        folds = splits.test_fold_of(repeat)
        sizes = np.bincount(folds, minlength=10)
        assert sizes.max() - sizes.min() <= 1
        for label, count in Counter(target.tolist()).items():
            per_fold = np.bincount(folds[target == label], minlength=10)
            assert set(per_fold.tolist()) <= {count // 10, -(-count // 10)}


def test_plain_cross_validation_fold_sizes_differ_by_at_most_one() -> None:
    """Regression 10-fold on 103 rows: three folds of 11, seven of 10."""
    splits = generate_splits(103, PROCEDURES[7], seed=42)
    _assert_valid(splits, 103, PROCEDURES[7])
    assert sorted(np.bincount(splits.test_fold_of(0)).tolist()) == [10] * 7 + [11] * 3


def test_repeats_use_different_shuffles() -> None:
    """5 x 2-fold: the five repeats are not copies of one another."""
    splits = generate_splits(40, PROCEDURES[8], seed=3)
    _assert_valid(splits, 40, PROCEDURES[8])
    assert len({splits.test_fold_of(r).tobytes() for r in range(5)}) == 5


def test_regression_ignores_the_target() -> None:
    """Unstratified procedures give the same splits with or without (even missing) labels."""
    target = np.array([1.5, np.nan] * 10)
    assert generate_splits(20, PROCEDURES[7], seed=1, target=target) == generate_splits(
        20, PROCEDURES[7], seed=1
    )


def test_labels_of_any_type_sort_and_stratify() -> None:
    """Integer, boolean, string and pyarrow dictionary labels all work, classes in label order."""
    labels = np.array(["b", "a", "c", "a"] * 10)
    as_strings = generate_splits(40, PROCEDURES[25], seed=9, target=labels)
    as_dictionary = generate_splits(
        40, PROCEDURES[25], seed=9, target=pa.array(labels).dictionary_encode()
    )
    as_chunked = generate_splits(40, PROCEDURES[25], seed=9, target=pa.chunked_array([labels]))
    assert as_strings == as_dictionary == as_chunked
    codes = np.searchsorted(np.array(["a", "b", "c"]), labels)
    assert generate_splits(40, PROCEDURES[25], seed=9, target=codes) == as_strings
    flags = np.array([True, False] * 20)
    _assert_valid(generate_splits(40, PROCEDURES[25], seed=9, target=flags), 40, PROCEDURES[25])


# --- holdout and leave-one-out ---------------------------------------------------------------


def test_holdout_33_percent_of_30_rows_tests_10_rows_stratified() -> None:
    """round(30 * 0.33) = 10 test rows, fold 0; classes 10/20 get 3 or 4 / 6 or 7 test rows."""
    target = np.array(["yes" if i % 3 == 0 else "no" for i in range(30)])
    splits = generate_splits(30, PROCEDURES[6], seed=1, target=target)
    _assert_valid(splits, 30, PROCEDURES[6])
    (_, _, train, test), *others = list(splits.iter_folds())
    assert not others
    assert (len(train), len(test)) == (20, 10)
    assert Counter(target[test].tolist()) == {"no": 7, "yes": 3}
    assert set(splits.test_fold_of(0).tolist()) == {-1, 0}


def test_holdout_10_percent_uses_10_not_33() -> None:
    """Procedure 11 on 200 rows tests 20 rows."""
    splits = generate_splits(200, PROCEDURES[11], seed=0)
    assert np.count_nonzero(splits.test_fold_of(0) == 0) == 20


@pytest.mark.parametrize(
    ("n", "percentage", "tested"),
    [(2, 33.0, 1), (3, 33.0, 1), (10, 25.0, 3), (10, 15.0, 2), (2, 99.0, 1), (100, 0.1, 1)],
)
def test_holdout_rounds_half_up_and_keeps_both_sets(n: int, percentage: float, tested: int) -> None:
    """round(n * p / 100) half up (2.5 -> 3, 1.5 -> 2), clamped to 1..n-1."""
    procedure = Procedure(99, 2, "holdout", "holdout", 1, 1, percentage, False)
    splits = generate_splits(n, procedure, seed=0)
    assert np.count_nonzero(splits.test_fold_of(0) == 0) == tested


def test_stratified_holdout_total_is_exact_with_largest_remainders() -> None:
    """Three classes of 7 with 33 %: 7 test rows overall, 2 or 3 from each class."""
    target = np.repeat(np.array([2, 0, 1]), 7)
    splits = generate_splits(21, PROCEDURES[6], seed=4, target=target)
    test = np.flatnonzero(splits.test_fold_of(0) == 0)
    assert len(test) == 7
    # Equal remainders go to the earlier class in sorted label order: 3, 2, 2.
    assert [np.count_nonzero(target[test] == c) for c in (0, 1, 2)] == [3, 2, 2]


def test_leave_one_out_is_one_repeat_of_n_folds() -> None:
    """Fold i tests row i alone; no randomness."""
    splits = generate_splits(6, PROCEDURES[10], seed=0)
    assert (splits.repeats, splits.folds) == (1, 6)
    _assert_valid(splits, 6, PROCEDURES[10])
    assert [test.tolist() for _, _, _, test in splits.iter_folds()] == [[i] for i in range(6)]
    assert splits == generate_splits(6, PROCEDURES[4], seed=123, target=np.zeros(6))


# --- determinism and randomness --------------------------------------------------------------


def test_same_inputs_same_splits_and_bytes(tmp_path: Path) -> None:
    """Two generations and two writes of each format are byte-identical."""
    for index in (1, 2):
        splits = generate_splits(150, PROCEDURES[3], seed=7, target=IRIS)
        write_splits_parquet(splits, tmp_path / f"{index}.parquet")
        write_splits_csv(splits, tmp_path / f"{index}.csv")
        write_splits_arff(splits, tmp_path / f"{index}.arff", relation="Task_1_splits")
    for suffix in ("parquet", "csv", "arff"):
        assert _sha256(tmp_path / f"1.{suffix}") == _sha256(tmp_path / f"2.{suffix}")


def test_different_seeds_give_different_splits() -> None:
    """Seeds 0..9 give ten different fold assignments."""
    assignments = {
        generate_splits(
            100, PROCEDURES[1], seed=seed, target=np.arange(100) % 2
        ).assignment.tobytes()
        for seed in range(10)
    }
    assert len(assignments) == 10


def test_streams_are_pinned() -> None:
    """The raw stream of (seed, repeat) never changes: it is SeedSequence(seed).spawn()[repeat]."""
    spawned = np.random.SeedSequence(42).spawn(3)[2]
    assert np.array_equal(_stream(42, 2).random_raw(4), np.random.PCG64(spawned).random_raw(4))
    assert _stream(0, 0).random_raw(2).tolist() == [
        17394127715520444142,
        5835390491061343638,
    ]


def test_tied_keys_are_shuffled_uniformly_from_the_stream() -> None:
    """Equal sort keys are ordered by Fisher-Yates, so ties do not favour low positions."""
    keys = np.array([5, 1, 5, 5, 0, 5], dtype=np.uint64)
    orders = Counter()
    for seed in range(2400):
        order = _order_by_keys(keys, _stream(seed, 0)).tolist()
        assert order[:2] == [4, 1]
        assert sorted(order[2:]) == [0, 2, 3, 5]
        orders[tuple(order[2:])] += 1
    assert len(orders) == 24  # all 4! orders of the tied rows
    assert max(orders.values()) < 2 * min(orders.values())


def test_first_row_is_tested_in_every_fold_about_equally() -> None:
    """Row 0's test fold is uniform over seeds (no bias from the shuffle)."""
    counts = np.bincount(
        [generate_splits(50, PROCEDURES[7], seed=s).test_fold_of(0)[0] for s in range(2000)],
        minlength=10,
    )
    assert counts.min() > 140
    assert counts.max() < 270


# GOLDEN: the sha256 of the canonical Parquet (and ARFF) files of fixed cases. Tasks store their
# splits and clients cache them forever: if any of these hashes changes, every stored task's
# splits would differ from a regeneration. Never re-pin them to make a change pass. The ARFF
# hash pins the content alone (Tunebench writes every byte); the Parquet hash also pins the
# Parquet writer (pyarrow's version string is in the footer): if a pyarrow upgrade moves only the
# Parquet hash, the splits did not move, but newly written files' checksums will.
GOLDEN = [
    (
        150,
        1,
        0,
        IRIS,
        "6afe0a99b67bcdfe753afba7de89894440b5caea3772e59f8c22dd537667a048",
        "39588ace5b8936f75718ccbf70b2ecf259a63db7368e9e3f292027ecdfbfb7eb",
    ),
    (
        100,
        7,
        42,
        None,
        "e613ae1c8c899630030901e13dc6d05449940f868df8cb762b44a39ee41a73a2",
        "318680645107f4b1c9f273eb7128e3d8b62ab8cb1f769c370a5ec5b1c1efd5da",
    ),
    (
        30,
        6,
        1,
        np.array(["yes" if i % 3 == 0 else "no" for i in range(30)]),
        "5e85dd2db02f739c14f40c08d982fe037a2d8dbcf28e077b41b9337103fc6a53",
        "ffd1c6d24ee3b43c3c0f852f48c0a8b990cf4c37aaf700ed65dbb7c6439bc607",
    ),
    (
        20,
        2,
        3,
        np.array(["pos" if i % 2 else "neg" for i in range(20)]),
        "355f52b02e4b45603b935f1f1cccb46798964e5887fab66fe0076b409d2d8fb9",
        "3f033bb510599352357ee3cd1b974e628e1f2f7dce3fe8d367d0a3ffeb4ba178",
    ),
]


@pytest.mark.parametrize(
    ("n", "procedure_id", "seed", "target", "parquet_sha256", "arff_sha256"),
    GOLDEN,
    ids=["iris-p1-s0", "regression-p7-s42", "holdout-p6-s1", "cv5x2-p2-s3"],
)
def test_golden_split_files(
    tmp_path: Path,
    n: int,
    procedure_id: int,
    seed: int,
    target: np.ndarray | None,
    parquet_sha256: str,
    arff_sha256: str,
) -> None:
    """Fixed inputs give the pinned files: the algorithm, the streams and the layout never move."""
    splits = generate_splits(n, PROCEDURES[procedure_id], seed=seed, target=target)
    arff = write_splits_arff(splits, tmp_path / "s.arff", relation="splits")
    assert arff.sha256 == arff_sha256
    parquet = write_splits_parquet(splits, tmp_path / "s.parquet")
    assert parquet.sha256 == parquet_sha256
    assert parquet.size == (tmp_path / "s.parquet").stat().st_size


# --- files -----------------------------------------------------------------------------------


def test_long_format_is_canonical() -> None:
    """Blocks by repeat, fold, TRAIN then TEST; rows ascending; OpenML column names and types."""
    splits = generate_splits(20, PROCEDURES[2], seed=3, target=np.arange(20) % 2)
    assert len(splits.kind) == len(splits) == 5 * 2 * 20
    key = (splits.repeat.astype(np.int64) * 2 + splits.fold) * 2 + splits.kind
    assert np.all(np.diff(key) >= 0)
    same_block = np.diff(key) == 0
    assert np.all(np.diff(splits.row_id)[same_block] > 0)
    table = splits_table(splits)
    assert table.column_names == ["type", "rowid", "repeat", "fold"]
    assert table.schema.field("rowid").type == pa.int64()
    assert table.schema.field("repeat").type == pa.int32()
    assert table["type"].to_pylist()[:1] == ["TRAIN"]
    assert set(table["type"].to_pylist()) == {"TRAIN", "TEST"}


def test_arff_and_csv_text(tmp_path: Path) -> None:
    """ARFF as OpenML's engine writes it (reference 6.1); CSV with a plain header."""
    splits = Splits(1, 2, np.array([[1, 0, 1]]))
    write_splits_arff(splits, tmp_path / "s.arff", relation="Task_1_splits")
    assert (tmp_path / "s.arff").read_text() == (
        "@relation Task_1_splits\n"
        "@attribute type {TRAIN,TEST}\n"
        "@attribute rowid numeric\n"
        "@attribute repeat numeric\n"
        "@attribute fold numeric\n"
        "@data\n"
        "TRAIN,0,0,0\nTRAIN,2,0,0\nTEST,1,0,0\n"
        "TRAIN,1,0,1\nTEST,0,0,1\nTEST,2,0,1\n"
    )
    write_splits_csv(splits, tmp_path / "s.csv")
    assert (tmp_path / "s.csv").read_text().splitlines()[:3] == [
        "type,rowid,repeat,fold",
        "TRAIN,0,0,0",
        "TRAIN,2,0,0",
    ]


def test_arff_is_read_by_liac_arff(tmp_path: Path) -> None:
    """openml-python reads split ARFF with liac-arff: it must parse, with nominal TRAIN/TEST."""
    import arff as liac_arff

    splits = generate_splits(30, PROCEDURES[6], seed=1, target=np.arange(30) % 3)
    write_splits_arff(splits, tmp_path / "s.arff", relation="Task 1 splits")
    parsed = liac_arff.loads((tmp_path / "s.arff").read_text())
    assert parsed["relation"] == "Task 1 splits"
    assert parsed["attributes"][0] == ("type", ["TRAIN", "TEST"])
    assert [row[0] for row in parsed["data"]].count("TEST") == 10


@pytest.mark.parametrize("procedure_id", [1, 2, 6, 10, 12, 25])
def test_parquet_round_trip(tmp_path: Path, procedure_id: int) -> None:
    """read_splits_parquet(write_splits_parquet(s)) == s, and the file holds the long format."""
    splits = generate_splits(48, PROCEDURES[procedure_id], seed=11, target=np.arange(48) % 4)
    write_splits_parquet(splits, tmp_path / "s.parquet")
    assert read_splits_parquet(tmp_path / "s.parquet") == splits
    assert pq.read_table(tmp_path / "s.parquet").equals(splits_table(splits))


def test_parquet_row_groups_have_a_fixed_size(tmp_path: Path, monkeypatch) -> None:
    """Row groups are exactly ROW_GROUP_ROWS lines whatever the block sizes, and still read."""
    from tunebench.engine import splits as module

    monkeypatch.setattr(module, "ROW_GROUP_ROWS", 7)
    splits = generate_splits(10, PROCEDURES[8], seed=0)
    write_splits_parquet(splits, tmp_path / "s.parquet")
    metadata = pq.ParquetFile(tmp_path / "s.parquet").metadata
    sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    assert sizes == [7] * 14 + [2]
    assert read_splits_parquet(tmp_path / "s.parquet") == splits


def test_read_accepts_any_line_order_and_string_type(tmp_path: Path) -> None:
    """A shuffled long format with a plain string `type` column reads to the same splits."""
    splits = generate_splits(12, PROCEDURES[7], seed=2)
    table = splits_table(splits)
    table = table.set_column(0, "type", table["type"].cast(pa.string()))
    order = np.random.default_rng(0).permutation(len(table))
    pq.write_table(table.take(pa.array(order)), tmp_path / "s.parquet")
    assert read_splits_parquet(tmp_path / "s.parquet") == splits


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda t: t.drop_columns(["fold"]), "unknown_column"),
        (lambda t: t.slice(1), "invalid_row_id"),
        (lambda t: t.set_column(1, "rowid", pa.array([0] * len(t), pa.int64())), "invalid_row_id"),
        (lambda t: t.set_column(0, "type", pa.array(["X"] * len(t))), "unsupported_type"),
        (lambda t: t.set_column(1, "rowid", t["rowid"].cast(pa.float64())), "unsupported_type"),
        (lambda t: t.set_column(0, "type", pa.array(["TEST"] * len(t))), "invalid_row_id"),
        (lambda t: t.slice(0, 0), "no_rows"),
    ],
    ids=[
        "no-fold",
        "missing-line",
        "duplicate-rows",
        "bad-type",
        "float-rowid",
        "all-test",
        "empty",
    ],
)
def test_read_rejects_files_that_are_not_splits(tmp_path: Path, mutate, code: str) -> None:
    """Malformed split files raise DataFormatError with a stable code."""
    table = splits_table(generate_splits(10, PROCEDURES[8], seed=0))
    pq.write_table(mutate(table), tmp_path / "s.parquet")
    with pytest.raises(DataFormatError) as caught:
        read_splits_parquet(tmp_path / "s.parquet")
    assert caught.value.code == code


def test_read_rejects_a_file_that_is_not_parquet(tmp_path: Path) -> None:
    (tmp_path / "s.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(DataFormatError) as caught:
        read_splits_parquet(tmp_path / "s.parquet")
    assert caught.value.code == "truncated_parquet"


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "procedure", "target", "code", "field"),
    [
        (9, PROCEDURES[7], None, "too_many_folds", "estimation_procedure"),
        (1, PROCEDURES[12], None, "too_few_rows", "dataset"),
        (0, PROCEDURES[10], None, "too_few_rows", "dataset"),
        (20, PROCEDURES[1], None, "missing_target", "target"),
        (20, PROCEDURES[6], np.array(["a", None] * 10, dtype=object), "missing_target", "target"),
        (20, PROCEDURES[1], np.array([1.0, np.nan] * 10), "missing_target", "target"),
        (20, Procedure(98, 2, "x", "holdout", 1, 1, 100.0, False), None, "invalid_percentage",
         "estimation_procedure"),
        (20, Procedure(98, 2, "x", "holdout", 1, 1, 0.0, False), None, "invalid_percentage",
         "estimation_procedure"),
        (20, Procedure(98, 2, "x", "holdout", 1, 1, None, False), None, "invalid_percentage",
         "estimation_procedure"),
        (20, Procedure(15, 4, "x", "testthentrain", 1, 1, None, False), None, "unknown_procedure",
         "estimation_procedure"),
    ],
)  # fmt: skip
def test_invalid_requests_raise_split_error(n, procedure, target, code, field) -> None:
    """Each rejected request has its code and the field to fix."""
    with pytest.raises(SplitError) as caught:
        generate_splits(n, procedure, seed=0, target=target)
    assert caught.value.code == code
    assert caught.value.field == field
    assert code in SPLIT_CODES
    assert caught.value.to_dict() == {"code": code, "message": str(caught.value), "field": field}


def test_stratified_folds_above_the_smallest_class_name_it() -> None:
    """10-fold stratified CV with a class of 4 rows names that class and its count."""
    target = np.array(["big"] * 40 + ["rare"] * 4)
    with pytest.raises(SplitError, match=r"class 'rare' has 4") as caught:
        generate_splits(44, PROCEDURES[1], seed=0, target=target)
    assert caught.value.code == "too_many_folds"


def test_split_error_survives_pickling() -> None:
    """Celery's result backend pickles exceptions; code and field must come back."""
    error = pickle.loads(pickle.dumps(SplitError("m", code="too_few_rows", field="dataset")))  # noqa: S301 - our own bytes
    assert (error.message, error.code, error.field) == ("m", "too_few_rows", "dataset")


# --- properties ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(2, 120),
    procedure_id=st.sampled_from(sorted(PROCEDURES)),
    seed=st.integers(0, 2**64),
    n_classes=st.integers(1, 5),
    data=st.data(),
)
def test_any_valid_request_gives_valid_deterministic_splits(
    n: int, procedure_id: int, seed: int, n_classes: int, data
) -> None:
    """Random sizes, seeds and labels: valid splits or a SplitError, and always the same."""
    procedure = PROCEDURES[procedure_id]
    target = np.array(data.draw(st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n)))
    smallest = min(Counter(target.tolist()).values())
    if procedure.folds > n or (procedure.stratified and procedure.folds > smallest):
        assert procedure.kind == "crossvalidation"
        with pytest.raises(SplitError) as caught:
            generate_splits(n, procedure, seed=seed, target=target)
        assert caught.value.code == "too_many_folds"
        return
    splits = generate_splits(n, procedure, seed=seed, target=target)
    _assert_valid(splits, n, procedure)
    assert splits == generate_splits(n, procedure, seed=seed, target=target.copy())
    if procedure.kind == "crossvalidation":
        assert (splits.repeats, splits.folds) == (procedure.repeats, procedure.folds)
        for repeat in range(splits.repeats):
            folds = splits.test_fold_of(repeat)
            sizes = np.bincount(folds, minlength=procedure.folds)
            assert sizes.max() - sizes.min() <= 1
            if procedure.stratified:
                for label in set(target.tolist()):
                    per_fold = np.bincount(folds[target == label], minlength=procedure.folds)
                    assert per_fold.max() - per_fold.min() <= 1
    if procedure.kind == "holdout":
        tested = np.count_nonzero(splits.test_fold_of(0) == 0)
        assert abs(tested - n * procedure.percentage / 100) <= 1
        if procedure.stratified:
            for label in set(target.tolist()):
                rows = target == label
                share = np.count_nonzero(splits.test_fold_of(0)[rows] == 0)
                assert abs(share - rows.sum() * tested / n) < 1


@settings(max_examples=25, deadline=None)
@given(
    assignment=st.integers(1, 4).flatmap(
        lambda repeats: st.integers(2, 30).flatmap(
            lambda n: st.lists(
                st.lists(st.integers(-1, 3), min_size=n, max_size=n),
                min_size=repeats,
                max_size=repeats,
            )
        )
    )
)
def test_any_assignment_round_trips_through_parquet(tmp_path_factory, assignment) -> None:
    """Whatever the assignment, write then read gives it back."""
    path = tmp_path_factory.mktemp("splits") / "s.parquet"
    splits = Splits(len(assignment), 4, np.array(assignment))
    write_splits_parquet(splits, path)
    assert read_splits_parquet(path) == splits
