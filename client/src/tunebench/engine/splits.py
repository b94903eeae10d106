"""Train/test splits for a task: OpenML's estimation procedures, generated reproducibly forever.

`generate_splits(n_rows, procedure, seed=..., target=...)` is a pure function of the row count,
the target labels (stratified procedures only), the procedure and the seed. Clients cache a
task's splits forever, so the same inputs must give the same splits on every machine and after
every upgrade: nothing here calls a numpy `Generator` method (numpy only promises stable streams
for a BitGenerator's raw output) or scikit-learn. The randomness is:

* one stream per repeat r: `np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(r,)))`,
  i.e. the r-th child of `SeedSequence(seed).spawn()`. Both SeedSequence's hashing and PCG64's
  raw output are covered by numpy's stream-compatibility policy. (`SeedSequence([seed, r])`
  would collide: `[a, b]` and `[a, b, 0]` hash alike; a spawn key is padded apart.)
* a shuffle of 0..n-1 per repeat: n raw 64-bit draws as sort keys, rows ordered by key with a
  stable sort (whose result is uniquely defined, whatever algorithm numpy uses). Rows whose keys
  tie (probability about n²/2⁶⁵) are put in order by a Fisher-Yates shuffle drawn from the same
  stream with Lemire's unbiased bounded integers, so the permutation is exactly uniform. A
  vectorised sort replaces a full Fisher-Yates loop, which is sequential: 1 s per million rows in
  Python against 0.15 s for the sort.

Then, per repeat: plain cross-validation cuts the shuffled rows into `folds` consecutive folds
whose sizes differ by at most one (the first `n % folds` folds are one larger, as scikit-learn's
KFold). Stratified cross-validation orders the shuffled rows by class (classes in sorted label
order, each class's rows in shuffled order) and deals them round-robin into the folds, the
dealing continuing across classes; every class then has floor or ceil(count/folds) rows in each
fold and fold sizes differ by at most one. Holdout takes the first round(n·percentage/100) rows
(half up, as Java's Math.round in OpenML's engine; clamped to 1..n-1) as the test set, fold 0;
stratified holdout gives each class its share of that total by the largest-remainder method
(floor of count·test/n, the rest to the largest remainders, ties to the earlier class), so class
shares are within one row of proportional and the total is exact. Leave-one-out is one repeat of
n folds, fold i testing row i (no randomness).

`Splits` stores one array, `assignment` (repeats x n int32: the fold in which each row is tested,
-1 for a holdout's train rows), 40 MB for 1,000,000 rows x 10 repeats. OpenML's long format (one
line per repeat, fold and row of that fold's train or test set: 100 million lines for 10 x 10-fold
on a million rows, 1.7 GB as arrays) is only built a block at a time when writing or iterating;
`kind`/`row_id`/`repeat`/`fold` build it whole, for small splits and tests. The layout is
canonical: blocks by repeat, fold, TRAIN then TEST, rows ascending in each, so equal splits give
byte-identical files (Parquet row groups are exactly ROW_GROUP_ROWS lines).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tunebench.engine.errors import DataFormatError
from tunebench.engine.model import Checksums
from tunebench.engine.writers import arff_quote, file_checksums

TRAIN, TEST = 0, 1
KINDS = ("crossvalidation", "holdout", "leaveoneout")
ROW_GROUP_ROWS = 1 << 20
SPLIT_CODES = frozenset(
    {"too_many_folds", "invalid_percentage", "too_few_rows", "missing_target", "unknown_procedure"}
)
_MASK64 = (1 << 64) - 1
_TYPE_VALUES = pa.array(["TRAIN", "TEST"], pa.string())
SPLITS_SCHEMA = pa.schema(
    [
        pa.field("type", pa.dictionary(pa.int8(), pa.string())),
        pa.field("rowid", pa.int64()),
        pa.field("repeat", pa.int32()),
        pa.field("fold", pa.int32()),
    ]
)


class SplitError(ValueError):
    """Splits cannot be made for this task; `code` says why, `field` names the task input to fix.

    Codes (SPLIT_CODES): too_many_folds, invalid_percentage, too_few_rows, missing_target,
    unknown_procedure. `field` is "estimation_procedure", "target" or "dataset".
    """

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        assert code in SPLIT_CODES, f"unknown SplitError code {code!r}: add it to SPLIT_CODES"
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments do not survive default exception pickling (Celery results).
        return (_rebuild_split_error, (self.message, self.code, self.field))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the server stores and the API returns."""
        return {"code": self.code, "message": self.message, "field": self.field}


def _rebuild_split_error(message: str, code: str, field: str | None) -> SplitError:
    return SplitError(message, code=code, field=field)


@dataclass(frozen=True)
class Procedure:
    """An OpenML estimation procedure (reference §5.2). Holdout and leave-one-out have folds=1
    here; leave-one-out's splits have n folds, known only when generating."""

    id: int
    task_type: int
    name: str
    kind: str  # one of KINDS
    repeats: int
    folds: int
    percentage: float | None
    stratified: bool


def _procedures() -> dict[int, Procedure]:
    # (id offset, name, kind, repeats, folds, percentage), as in OpenML for both task types.
    shapes = [
        (0, "10-fold Crossvalidation", "crossvalidation", 1, 10, None),
        (1, "5 times 2-fold Crossvalidation", "crossvalidation", 5, 2, None),
        (2, "10 times 10-fold Crossvalidation", "crossvalidation", 10, 10, None),
        (3, "Leave one out", "leaveoneout", 1, 1, None),
        # OpenML's seed stores percentage 33 for the "10% Holdout set" procedures (5 and 11),
        # a known data bug: the name states the intent, so Tunebench uses 10.
        (4, "10% Holdout set", "holdout", 1, 1, 10.0),
        (5, "33% Holdout set", "holdout", 1, 1, 33.0),
    ]
    procedures = [
        Procedure(first + offset, task_type, name, kind, repeats, folds, percentage,
                  stratified and kind != "leaveoneout")
        for task_type, first, stratified in ((1, 1, True), (2, 7, False))
        for offset, name, kind, repeats, folds, percentage in shapes
    ]  # fmt: skip
    procedures.append(
        Procedure(25, 1, "4-fold Crossvalidation", "crossvalidation", 1, 4, None, True)
    )
    return {procedure.id: procedure for procedure in procedures}


PROCEDURES: dict[int, Procedure] = _procedures()


def get_procedure(procedure_id: int) -> Procedure:
    """The supported procedure with this OpenML id, or SplitError unknown_procedure."""
    try:
        return PROCEDURES[procedure_id]
    except KeyError:
        supported = ", ".join(str(i) for i in sorted(PROCEDURES))
        raise SplitError(
            f"Estimation procedure {procedure_id} is not supported (supported: {supported}).",
            code="unknown_procedure",
            field="estimation_procedure",
        ) from None


@dataclass(frozen=True, eq=False)
class Splits:
    """A task's splits: `assignment[r, i]` is the fold in which row i is tested in repeat r, or
    -1 if never (a holdout's train rows). For every repeat r and fold f, the test set is the rows
    assigned f and the train set all other rows."""

    repeats: int
    folds: int
    assignment: np.ndarray  # int32, shape (repeats, n_rows), read-only

    def __post_init__(self) -> None:
        assignment = np.ascontiguousarray(self.assignment, dtype=np.int32)
        assert assignment.shape[0] == self.repeats, "assignment must have one row per repeat"
        assignment.setflags(write=False)
        object.__setattr__(self, "assignment", assignment)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Splits):
            return NotImplemented
        return (self.repeats, self.folds) == (other.repeats, other.folds) and np.array_equal(
            self.assignment, other.assignment
        )

    @property
    def n_rows(self) -> int:
        return int(self.assignment.shape[1])

    def __len__(self) -> int:
        """Lines of the long format: every row appears once per (repeat, fold)."""
        return self.repeats * self.folds * self.n_rows

    def iter_folds(self) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
        """(repeat, fold, train row positions, test row positions), both int64 and ascending."""
        for repeat in range(self.repeats):
            row = self.assignment[repeat]
            for fold in range(self.folds):
                tested = row == fold
                yield repeat, fold, np.flatnonzero(~tested), np.flatnonzero(tested)

    def test_fold_of(self, repeat: int) -> np.ndarray:
        """int32, one per row: the fold testing it in `repeat`, -1 if none (read-only view)."""
        return self.assignment[repeat]

    def iter_blocks(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """The long format one (repeat, fold) block at a time: (kind, row_id, repeat, fold)."""
        for repeat, fold, train, test in self.iter_folds():
            size = len(train) + len(test)
            kind = np.zeros(size, dtype=np.uint8)
            kind[len(train) :] = TEST
            yield (
                kind,
                np.concatenate([train, test]).astype(np.int64, copy=False),
                np.full(size, repeat, dtype=np.int32),
                np.full(size, fold, dtype=np.int32),
            )

    @cached_property
    def _long(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        blocks = list(self.iter_blocks())
        if not blocks:
            empty = (np.uint8, np.int64, np.int32, np.int32)
            return tuple(np.zeros(0, dtype=t) for t in empty)  # type: ignore[return-value]
        arrays = tuple(np.concatenate(column) for column in zip(*blocks, strict=True))
        for array in arrays:
            array.setflags(write=False)
        return arrays  # type: ignore[return-value]

    @property
    def kind(self) -> np.ndarray:
        """uint8, 0 = TRAIN, 1 = TEST, one per line of the long format (built on first use)."""
        return self._long[0]

    @property
    def row_id(self) -> np.ndarray:
        """int64, 0-based row positions, one per line of the long format."""
        return self._long[1]

    @property
    def repeat(self) -> np.ndarray:
        return self._long[2]

    @property
    def fold(self) -> np.ndarray:
        return self._long[3]


# --- randomness ------------------------------------------------------------------------------


def _stream(seed: int, repeat: int) -> np.random.PCG64:
    """Repeat `repeat`'s stream: the repeat-th child of SeedSequence(seed)."""
    return np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(repeat,)))


def _bounded(stream: np.random.PCG64, bound: int) -> int:
    """Uniform integer in [0, bound) from raw 64-bit draws, by Lemire's multiply-and-reject."""
    threshold = ((1 << 64) - bound) % bound
    while True:
        product = int(stream.random_raw()) * bound
        if (product & _MASK64) >= threshold:
            return product >> 64


def _permutation(stream: np.random.PCG64, n: int) -> np.ndarray:
    """A uniform permutation of 0..n-1 (int64) from n raw draws used as sort keys."""
    return _order_by_keys(stream.random_raw(n), stream)


def _order_by_keys(keys: np.ndarray, stream: np.random.PCG64) -> np.ndarray:
    """Positions in ascending key order; equal keys shuffled by Fisher-Yates from `stream`."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    tied = np.flatnonzero(ordered[1:] == ordered[:-1])
    if len(tied):
        # Runs of equal keys: [start, end) in sorted positions, in ascending order.
        starts = tied[np.r_[True, tied[1:] != tied[:-1] + 1]]
        for start in starts.tolist():
            end = start + 1
            while end < len(ordered) and ordered[end] == ordered[start]:
                end += 1
            run = order[start:end].tolist()
            for i in range(len(run) - 1, 0, -1):
                j = _bounded(stream, i + 1)
                run[i], run[j] = run[j], run[i]
            order[start:end] = run
    return order.astype(np.int64, copy=False)


# --- validation and labels -------------------------------------------------------------------


def _class_codes(target: Any, n_rows: int) -> tuple[np.ndarray, list[Any]]:
    """Each row's class as its rank among the sorted distinct labels, and those labels."""
    if isinstance(target, pa.ChunkedArray):
        target = target.combine_chunks()
    labels = target if isinstance(target, pa.Array) else pa.array(target, from_pandas=True)
    assert len(labels) == n_rows, f"target has {len(labels)} values for {n_rows} rows"
    if pa.types.is_dictionary(labels.type):
        labels = labels.dictionary_decode()
    missing = labels.null_count
    if pa.types.is_floating(labels.type):
        missing += int(pc.sum(pc.is_nan(labels)).as_py() or 0)
    if missing:
        raise SplitError(
            f"The target has {missing} missing value(s); stratified splits need a label per row.",
            code="missing_target",
            field="target",
        )
    encoded = pc.dictionary_encode(labels)
    dictionary = encoded.dictionary
    by_value = np.asarray(pc.array_sort_indices(dictionary))
    rank = np.empty(len(dictionary), dtype=np.int64)
    rank[by_value] = np.arange(len(dictionary))
    codes = rank[np.asarray(encoded.indices)]
    return codes, dictionary.take(pa.array(by_value)).to_pylist()


def _check(n_rows: int, procedure: Procedure, seed: int) -> None:
    assert isinstance(seed, int | np.integer), "seed must be an integer"
    assert seed >= 0, "seed must be >= 0 (SeedSequence takes non-negative entropy)"
    if procedure.kind not in KINDS:
        raise SplitError(
            f"Estimation procedure {procedure.id} ({procedure.kind}) is not supported.",
            code="unknown_procedure",
            field="estimation_procedure",
        )
    if n_rows < 2:
        raise SplitError(
            f"The dataset has {n_rows} row(s); splitting needs at least 2.",
            code="too_few_rows",
            field="dataset",
        )
    if procedure.kind == "crossvalidation":
        assert procedure.repeats >= 1, "cross-validation needs repeats >= 1"
        assert procedure.folds >= 2, "cross-validation needs folds >= 2"
        if procedure.folds > n_rows:
            raise SplitError(
                f"{procedure.folds}-fold cross-validation needs at least {procedure.folds} rows;"
                f" the dataset has {n_rows}.",
                code="too_many_folds",
                field="estimation_procedure",
            )
    if procedure.kind == "holdout":
        assert procedure.repeats >= 1, "holdout needs repeats >= 1"
        percentage = procedure.percentage
        if percentage is None or not 0 < percentage < 100:
            raise SplitError(
                f"A holdout percentage must be strictly between 0 and 100, not {percentage}.",
                code="invalid_percentage",
                field="estimation_procedure",
            )


def _stratification(
    n_rows: int, procedure: Procedure, target: Any
) -> tuple[np.ndarray, list[Any], np.ndarray]:
    """Class codes, labels and counts of a stratified procedure's target, checked."""
    if target is None:
        raise SplitError(
            f"Estimation procedure {procedure.id} is stratified: it needs the target labels.",
            code="missing_target",
            field="target",
        )
    codes, labels = _class_codes(target, n_rows)
    counts = np.bincount(codes, minlength=len(labels))
    if procedure.kind == "crossvalidation" and counts.min() < procedure.folds:
        smallest = int(np.argmin(counts))
        raise SplitError(
            f"Stratified {procedure.folds}-fold cross-validation needs at least"
            f" {procedure.folds} rows per class; class {labels[smallest]!r} has"
            f" {counts[smallest]}.",
            code="too_many_folds",
            field="estimation_procedure",
        )
    return codes, labels, counts


def check_procedure(n_rows: int, procedure: Procedure, *, target: Any = None) -> None:
    """Raise the SplitError `generate_splits` would raise, without shuffling anything.

    The server calls it when a task is defined, so an impossible task is refused at once
    instead of failing later in a worker.
    """
    _check(n_rows, procedure, 0)
    if procedure.stratified and procedure.kind != "leaveoneout":
        _stratification(n_rows, procedure, target)


# --- generation ------------------------------------------------------------------------------


def generate_splits(n_rows: int, procedure: Procedure, *, seed: int, target: Any = None) -> Splits:
    """The splits of `procedure` for a dataset of `n_rows` rows; raises SplitError.

    `target` (numpy array, sequence or pyarrow array of labels, one per row) is required by
    stratified procedures and ignored by the others. Pure and deterministic: see the module
    docstring for the algorithm, which must never change (stored tasks' splits would move).
    """
    _check(n_rows, procedure, seed)
    if procedure.kind == "leaveoneout":
        return Splits(1, n_rows, np.arange(n_rows, dtype=np.int32)[None, :])
    codes = counts = None
    if procedure.stratified:
        codes, labels, counts = _stratification(n_rows, procedure, target)
        # Small integer codes sort by radix sort: stable and fast.
        codes = codes.astype(np.uint16 if len(labels) <= 1 << 16 else np.int64)

    if procedure.kind == "crossvalidation":
        folds = procedure.folds
        if codes is None:
            sizes = np.full(folds, n_rows // folds)
            sizes[: n_rows % folds] += 1
            fold_at = np.repeat(np.arange(folds, dtype=np.int32), sizes)
        else:
            fold_at = (np.arange(n_rows) % folds).astype(np.int32)
    else:
        folds = 1
        n_test = _holdout_size(n_rows, procedure.percentage)  # type: ignore[arg-type]
        if codes is None:
            fold_at = np.full(n_rows, -1, dtype=np.int32)
            fold_at[:n_test] = 0
        else:
            fold_at = _stratified_holdout(counts, n_test)  # type: ignore[arg-type]

    assignment = np.empty((procedure.repeats, n_rows), dtype=np.int32)
    for repeat in range(procedure.repeats):
        order = _permutation(_stream(int(seed), repeat), n_rows)
        if codes is not None:
            order = order[np.argsort(codes[order], kind="stable")]
        assignment[repeat, order] = fold_at
    return Splits(procedure.repeats, folds, assignment)


def _holdout_size(n_rows: int, percentage: float) -> int:
    """round(n·percentage/100), half up, exact (Fraction), clamped so both sets are non-empty."""
    exact = Fraction(n_rows) * Fraction(percentage) / 100
    return min(max(math.floor(exact + Fraction(1, 2)), 1), n_rows - 1)


def _stratified_holdout(counts: np.ndarray, n_test: int) -> np.ndarray:
    """Fold per position of the class-ordered rows: the first quota of each class tests (0)."""
    n_rows = int(counts.sum())
    shares = [int(c) * n_test for c in counts]
    quotas = [share // n_rows for share in shares]
    remainders = sorted(range(len(counts)), key=lambda c: (-(shares[c] % n_rows), c))
    for c in remainders[: n_test - sum(quotas)]:
        quotas[c] += 1
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank_in_class = np.arange(n_rows) - np.repeat(starts, counts)
    tested = rank_in_class < np.repeat(np.asarray(quotas, dtype=np.int64), counts)
    return np.where(tested, 0, -1).astype(np.int32)


# --- files -----------------------------------------------------------------------------------


def _batch(kind: np.ndarray, row_id: np.ndarray, repeat: np.ndarray, fold: np.ndarray) -> pa.Table:
    types = pa.DictionaryArray.from_arrays(pa.array(kind.astype(np.int8)), _TYPE_VALUES)
    return pa.Table.from_arrays(
        [types, pa.array(row_id), pa.array(repeat), pa.array(fold)], schema=SPLITS_SCHEMA
    )


def _row_groups(splits: Splits) -> Iterator[pa.Table]:
    """The long format in tables of exactly ROW_GROUP_ROWS lines (the last may be shorter), so
    Parquet row-group boundaries depend only on the content."""
    pending: list[tuple[np.ndarray, ...]] = []
    pending_rows = 0

    def flush(final: bool) -> Iterator[pa.Table]:
        nonlocal pending, pending_rows
        columns = [np.concatenate(column) for column in zip(*pending, strict=True)]
        start = 0
        while pending_rows - start >= ROW_GROUP_ROWS or (final and start < pending_rows):
            end = min(start + ROW_GROUP_ROWS, pending_rows)
            yield _batch(*(column[start:end] for column in columns))
            start = end
        pending = [tuple(column[start:] for column in columns)]
        pending_rows -= start

    for block in splits.iter_blocks():
        pending.append(block)
        pending_rows += len(block[0])
        if pending_rows >= ROW_GROUP_ROWS:
            yield from flush(final=False)
    if pending_rows:
        yield from flush(final=True)


def splits_table(splits: Splits) -> pa.Table:
    """The whole long format as an Arrow table with OpenML's column names: type (dictionary
    TRAIN/TEST), rowid int64, repeat int32, fold int32. For large splits prefer the writers."""
    return _batch(splits.kind, splits.row_id, splits.repeat, splits.fold)


def write_splits_parquet(splits: Splits, path: str | os.PathLike[str]) -> Checksums:
    """The canonical splits file: snappy; `type` dictionary-encoded, the integer columns
    delta-encoded (ascending or constant runs: 23 MB for 100 million lines); no column statistics
    (splits are always read whole, and computing them doubles the write time)."""
    with pq.ParquetWriter(
        str(path),
        SPLITS_SCHEMA,
        compression="snappy",
        use_dictionary=["type"],
        column_encoding=dict.fromkeys(("rowid", "repeat", "fold"), "DELTA_BINARY_PACKED"),
        write_statistics=False,
    ) as writer:
        wrote = False
        for table in _row_groups(splits):
            writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
            wrote = True
        if not wrote:
            writer.write_table(SPLITS_SCHEMA.empty_table())
    return file_checksums(path)


def _write_text(splits: Splits, path: str | os.PathLike[str], header: str) -> Checksums:
    """`header`, then one `TYPE,rowid,repeat,fold` line per line of the long format."""
    with open(path, "wb") as handle:
        handle.write(header.encode("utf-8"))
        for repeat, fold, train, test in splits.iter_folds():
            for name, rows in (("TRAIN", train), ("TEST", test)):
                if not len(rows):
                    continue
                text = pc.binary_join_element_wise(
                    f"{name},", pc.cast(pa.array(rows), pa.string()), f",{repeat},{fold}\n", ""
                )
                offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)
                start, end = int(offsets[text.offset]), int(offsets[text.offset + len(text)])
                handle.write(memoryview(text.buffers()[2])[start:end])
    return file_checksums(path)


def write_splits_csv(splits: Splits, path: str | os.PathLike[str]) -> Checksums:
    """CSV with the header `type,rowid,repeat,fold`; nothing needs quoting."""
    return _write_text(splits, path, "type,rowid,repeat,fold\n")


def write_splits_arff(splits: Splits, path: str | os.PathLike[str], *, relation: str) -> Checksums:
    """OpenML's split ARFF (reference §6.1), e.g. relation="Task_1_splits"."""
    header = (
        f"@relation {arff_quote(relation)}\n"
        "@attribute type {TRAIN,TEST}\n"
        "@attribute rowid numeric\n"
        "@attribute repeat numeric\n"
        "@attribute fold numeric\n"
        "@data\n"
    )
    return _write_text(splits, path, header)


def _bad_splits(message: str, code: str = "invalid_row_id", column: str | None = None) -> None:
    raise DataFormatError(message, code=code, column=column)


def read_splits_parquet(path: str | os.PathLike[str]) -> Splits:
    """Splits from a Parquet file in the long format (any line order); DataFormatError if the
    file is not one: columns found by name, every (repeat, fold) block must hold each row
    exactly once and each row may be tested at most once per repeat."""
    try:
        table = pq.read_table(str(path))
    except (pa.ArrowException, OSError) as error:
        raise DataFormatError(
            f"Not a readable Parquet file: {error}", code="truncated_parquet"
        ) from None
    for name in ("type", "rowid", "repeat", "fold"):
        if name not in table.column_names:
            _bad_splits(f"The splits file has no {name!r} column.", "unknown_column", name)
    if not table.num_rows:
        _bad_splits("The splits file has no lines.", "no_rows")
    columns = {}
    for name in ("rowid", "repeat", "fold"):
        column = table[name]
        if not pa.types.is_integer(column.type) or column.null_count:
            _bad_splits(f"Column {name!r} must be integers.", "unsupported_type", name)
        columns[name] = np.asarray(column.to_numpy(), dtype=np.int64)
    if "sample" in table.column_names and pc.max(table["sample"]).as_py() not in (None, 0):
        _bad_splits("Learning-curve splits (sample > 0) are not supported.", "unsupported_type")
    types = table["type"]
    if pa.types.is_dictionary(types.type):
        types = pc.cast(types, types.type.value_type)
    is_test = pc.equal(types, "TEST")
    valid = pc.or_(is_test, pc.equal(types, "TRAIN"))
    if types.null_count or not pc.all(valid).as_py():
        _bad_splits("Column 'type' may only hold TRAIN and TEST.", "unsupported_type", "type")
    test = np.asarray(is_test.to_numpy(zero_copy_only=False), dtype=bool)
    row_id, repeat, fold = columns["rowid"], columns["repeat"], columns["fold"]
    if min(row_id.min(), repeat.min(), fold.min()) < 0:
        _bad_splits("rowid, repeat and fold must be >= 0.")
    repeats, folds = int(repeat.max()) + 1, int(fold.max()) + 1
    block = repeat * folds + fold
    n_rows = int(np.count_nonzero(block == 0))
    if len(row_id) != repeats * folds * n_rows or row_id.max() >= n_rows:
        _bad_splits("Every (repeat, fold) must list each row once, in train or test.")
    seen = np.zeros(len(row_id), dtype=bool)
    seen[block * n_rows + row_id] = True
    if not seen.all():
        _bad_splits("Every (repeat, fold) must list each row once, in train or test.")
    assignment = np.full((repeats, n_rows), -1, dtype=np.int32)
    tested = np.bincount(repeat[test] * n_rows + row_id[test], minlength=repeats * n_rows)
    if len(tested) and tested.max() > 1:
        _bad_splits("A row is tested in more than one fold of a repeat.")
    assignment[repeat[test], row_id[test]] = fold[test]
    return Splits(repeats, folds, assignment)
