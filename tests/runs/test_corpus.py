"""Bad run uploads through ``POST /api/v1/runs/``: each is a 400 with a stable code naming the
field (and, for predictions, the rows), and none of them stores anything.

The predictions corpus is ``tests/corpus/predictions/bad-api/``. The engine's own corpus
(``tests/corpus/predictions/bad/``) is written for a 1 x 3-fold task on 30 rows, a procedure the
server does not offer, so these files are made for the fixed tasks of ``tests/runs/conftest.py``
instead: ``task`` (flowers, 40 rows, labels a/b/c, 10-fold CV, seed 0) and ``regression_task``
(numbers, 30 rows, 10-fold CV, seed 0). Their splits are a pure function of the data, the
procedure and the seed, so the files stay valid; :func:`mutations` makes them, and
``test_the_corpus_is_what_the_generator_makes`` fails if a file and its generator ever
disagree (``TUNEBENCH_WRITE_CORPUS=1`` rewrites the folder after a deliberate change).
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from flows.models import Configuration
from flows.services import create_flow, get_or_create_configuration
from runs.models import Evaluation, Run, RunFile, RunTag
from tasks.models import Task
from tasks.services import create_task
from tests.datasets.conftest import upload
from tests.factories import UserFactory
from tests.runs.conftest import (
    FLOWERS,
    LABELS,
    as_csv,
    as_parquet,
    predictions,
    regression_predictions,
    split_rows,
)
from tests.runs.test_api import as_arff, client_for

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "predictions" / "bad-api"
EXPECTED = CORPUS / "expected.json"
BAD = json.loads(EXPECTED.read_text())
NOT_DATA = {"expected.json", "README.md"}


@dataclass(frozen=True)
class Mutation:
    task: str  # the fixture the file is made for: "task" or "regression_task"
    code: str  # the problem document's code (the first problem's)
    row: int | None  # the first problem's 1-based data row; None above the row level
    body: bytes


def as_text_csv(frame: pd.DataFrame) -> bytes:
    """CSV with NaN written as ``nan`` (pandas writes an empty field by default)."""
    return frame.to_csv(index=False, na_rep="nan").encode()


def mutations(task: Task, regression_task: Task, other_task: Task) -> dict[str, Mutation]:
    """Every file of the corpus, from valid predictions with one thing broken."""
    valid = predictions(task)  # every test row once, in canonical order, one-hot confidences
    n = len(valid)
    fold_of = dict(zip(split_rows(task)["row_id"], split_rows(task)["fold"], strict=True))
    other_fold = (int(valid.loc[0, "fold"]) + 1) % 10
    files: dict[str, Mutation] = {}

    def add(name: str, code: str, row: int | None, body: bytes, task: str = "task") -> None:
        files[name] = Mutation(task, code, row, body)

    def changed(**cells) -> pd.DataFrame:
        frame = valid.copy()
        for column, value in cells.items():
            frame[column] = frame[column].astype(object)
            frame.loc[0, column] = value
        return frame

    # Rows: missing, twice, in the wrong fold, extra, ids that are not ids.
    add("missing_rows.csv", "missing_rows", None, as_csv(valid.drop(index=5)))
    twice = pd.concat([valid, valid.iloc[[0]]], ignore_index=True)
    add("duplicate_row.csv", "duplicate_row", n + 1, as_csv(twice))
    add("duplicate_row.parquet", "duplicate_row", n + 1, as_parquet(twice))
    add("row_in_wrong_fold.csv", "wrong_fold", 1, as_csv(changed(fold=other_fold)))
    add("row_in_wrong_fold.arff", "wrong_fold", 1, as_arff(changed(fold=other_fold)))
    extra = valid.iloc[[0]].assign(fold=other_fold)
    add("extra_row.csv", "wrong_fold", n + 1, as_csv(pd.concat([valid, extra])))
    add(
        "extra_repeat.csv",
        "out_of_range",
        n + 1,
        as_csv(pd.concat([valid, valid.iloc[[0]].assign(repeat=1)])),
    )
    add("negative_row_id.csv", "out_of_range", 1, as_csv(changed(row_id=-1)))
    add("row_id_equal_to_n.csv", "out_of_range", 1, as_csv(changed(row_id=40)))
    add("float_row_id.csv", "bad_type", 1, as_csv(changed(row_id=0.5)))
    add("text_fold.csv", "bad_type", 1, as_csv(changed(fold="one")))
    add(
        "missing_row_id_column.csv",
        "missing_column",
        None,
        as_csv(valid.rename(columns={"row_id": "rowid"})),
    )

    # Confidences: a column missing or unknown, values outside [0, 1], NaN, sums off 1.
    add(
        "missing_confidence_column.csv",
        "missing_column",
        None,
        as_csv(valid.drop(columns=["confidence.c"])),
    )
    add(
        "unknown_confidence_column.csv",
        "unknown_column",
        None,
        as_csv(valid.assign(**{"confidence.d": 0.0})),
    )
    add(
        "confidence_label_case_variant.csv",
        "missing_column",
        None,
        as_csv(valid.rename(columns={"confidence.a": "confidence.A"})),
    )
    label = valid.loc[0, "prediction"]
    others = [f"confidence.{x}" for x in LABELS if x != label]
    add(
        "negative_probability.csv",
        "bad_probability",
        1,
        as_csv(changed(**{f"confidence.{label}": 1.1, others[0]: -0.1})),
    )
    add(
        "probability_above_one.csv",
        "bad_probability",
        1,
        as_csv(changed(**{f"confidence.{label}": 1.5})),
    )
    add(
        "nan_probability.csv",
        "bad_probability",
        1,
        as_text_csv(changed(**{f"confidence.{label}": np.nan})),
    )
    nan_frame = valid.copy()
    nan_frame.loc[0, f"confidence.{label}"] = np.nan
    add("nan_probability.parquet", "bad_probability", 1, as_parquet(nan_frame))
    add(
        "probabilities_do_not_sum_to_one.csv",
        "probabilities_do_not_sum_to_one",
        1,
        as_csv(changed(**{f"confidence.{label}": 0.5, others[0]: 0.2, others[1]: 0.2})),
    )

    # Labels: unknown, or a near miss in case or whitespace, or missing.
    add("unknown_label.csv", "unknown_label", 1, as_csv(changed(prediction="d")))
    add("label_case_variant.csv", "unknown_label", 1, as_csv(changed(prediction=label.upper())))
    add("label_leading_space.csv", "unknown_label", 1, as_csv(changed(prediction=f" {label}")))
    add("label_trailing_space.csv", "unknown_label", 1, as_csv(changed(prediction=f"{label} ")))
    add("label_trailing_tab.csv", "unknown_label", 1, as_csv(changed(prediction=f"{label}\t")))
    add("label_missing.csv", "unknown_label", 1, as_csv(changed(prediction=None)))

    # Regression: values that are not finite numbers, and class confidences.
    numbers = regression_predictions(regression_task)

    def regression(value) -> pd.DataFrame:
        frame = numbers.copy()
        frame.loc[0, "prediction"] = value
        return frame

    for name, value in (("nan", np.nan), ("inf", np.inf), ("negative_inf", -np.inf)):
        add(
            f"regression_{name}.csv",
            "non_finite",
            1,
            as_text_csv(regression(value)),
            "regression_task",
        )
    add(
        "regression_missing.csv",
        "non_finite",
        1,
        as_csv(regression(np.nan)),  # an empty field
        "regression_task",
    )
    add(
        "regression_confidence_column.csv",
        "unknown_column",
        None,
        as_csv(numbers.assign(**{"confidence.a": 1.0})),
        "regression_task",
    )

    # Another task's predictions: the same data split with another seed, and a regression's.
    theirs = predictions(other_task)
    pairs = zip(theirs["row_id"], theirs["fold"], strict=True)
    first_wrong = next(i for i, (row_id, fold) in enumerate(pairs) if fold_of[row_id] != fold)
    add("wrong_task_same_data.csv", "wrong_fold", first_wrong + 1, as_csv(theirs))
    add("wrong_task_regression.csv", "unknown_label", 1, as_csv(numbers))

    # Not predictions at all.
    add("empty_file.csv", "empty_file", None, b"")
    add("header_only.csv", "empty", None, as_csv(valid.iloc[:0]))
    add(
        "not_a_table.html",
        "unsupported_format",
        None,
        b"<!DOCTYPE html>\n<html><body><p>predictions</p></body></html>\n",
    )
    add("not_a_table.png", "unsupported_format", None, b"\x89PNG\r\n\x1a\n" + bytes(range(64)))
    return files


@pytest.fixture
def other_task(task, user, ingest) -> Task:
    """The fixture task's data and procedure with another seed: other folds."""
    created, _ = ingest(
        create_task,
        creator=user,
        dataset_id=task.dataset_id,
        task_type=1,
        target="kind",
        estimation_procedure_id=1,
        seed=1,
    )
    created.refresh_from_db()
    assert created.status == Task.Status.ACTIVE
    return created


def _table(body: bytes):
    return pq.read_table(io.BytesIO(body))


def test_the_corpus_is_what_the_generator_makes(task, regression_task, other_task):
    """The stored files are exactly the generator's; Parquet by content (writers stamp it)."""
    built = mutations(task, regression_task, other_task)
    expected = {
        name: {k: v for k, v in asdict(m).items() if k != "body"} for name, m in built.items()
    }
    if os.environ.get("TUNEBENCH_WRITE_CORPUS") == "1":
        for old in CORPUS.iterdir():
            if old.name not in NOT_DATA:
                old.unlink()
        for name, mutation in built.items():
            (CORPUS / name).write_bytes(mutation.body)
        EXPECTED.write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n")
    assert json.loads(EXPECTED.read_text()) == expected
    assert sorted(p.name for p in CORPUS.iterdir() if p.name not in NOT_DATA) == sorted(built)
    for name, mutation in built.items():
        stored = (CORPUS / name).read_bytes()
        if name.endswith(".parquet"):
            assert _table(stored).equals(_table(mutation.body)), name
        else:
            assert stored == mutation.body, name


# -- the API refuses each, storing nothing -------------------------------------------------------


def post_run(client, task_id: int, body: bytes, *, filename: str = "predictions", **fields):
    data = {"task": task_id, "predictions": SimpleUploadedFile(filename, body), **fields}
    return client.post("/api/v1/runs/", data, format="multipart")


def assert_nothing_stored(settings) -> None:
    for model in (Run, RunFile, RunTag, Evaluation, Configuration):
        assert not model.objects.exists(), model.__name__
    runs_dir = Path(settings.MEDIA_ROOT) / "runs"
    assert not runs_dir.exists() or not any(p.is_file() for p in runs_dir.rglob("*"))
    staging = Path(settings.MEDIA_ROOT) / "staging"
    assert not staging.exists() or not any(p.is_file() for p in staging.rglob("*"))


@pytest.mark.parametrize("name", sorted(BAD))
def test_every_bad_predictions_file_is_refused_with_its_code_and_rows(
    name, request, auth_client, flow, settings
):
    from tunebench import engine

    expected = BAD[name]
    target = request.getfixturevalue(expected["task"])
    response = post_run(auth_client, target.pk, (CORPUS / name).read_bytes(), flow=flow.pk)
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == expected["code"]
    assert body["errors"]["predictions"][0]["code"] == expected["code"]
    assert isinstance(body["problems"], list)
    assert isinstance(body["counts"], dict)
    if body["problems"]:  # predictions that are a table: every problem with its row (or None)
        assert body["problems"][0]["code"] == expected["code"]
        assert body["problems"][0]["row"] == expected["row"]
        assert all(p["code"] in engine.PREDICTION_CODES for p in body["problems"])
        assert body["counts"][expected["code"]] >= 1
    else:  # not a table at all: the engine's file-level code, nothing row-level
        assert expected["row"] is None
        assert expected["code"] in engine.CODES
    assert_nothing_stored(settings)


@pytest.fixture
def bad_input_world(user, flow):
    """A configuration of another flow, for the mismatch case."""
    mean, _ = create_flow(uploader=user, spec={"name": "mean", "external_version": "1"})
    return {"foreign": get_or_create_configuration(flow=mean, parameters={})[0]}


BAD_INPUT = [
    # (form fields, the field named, its code, status)
    ({"flow": 999999}, "flow", "unknown_flow", 400),
    ({"flow": None, "configuration": 999999}, "configuration", "unknown_configuration", 400),
    ({"flow": None}, "flow", "required", 400),
    ({"flow": "abc"}, "flow", "invalid", 400),
    ({"configuration": "FOREIGN"}, "flow", "flow_mismatch", 400),
    (
        {"flow": None, "configuration": "FOREIGN", "parameters": '{"max_depth": 2}'},
        "parameters",
        "configuration_and_parameters",
        400,
    ),
    ({"parameters": '{"max_dept": 3}'}, "parameters.max_dept", "unknown_parameter", 400),
    ({"parameters": '{"min_samples_leaf": "x"}'}, "parameters.min_samples_leaf", "bad_type", 400),
    ({"parameters": "[1, 2]"}, "parameters", "bad_type", 400),
    ({"parameters": '{"max_depth": '}, "parameters", "invalid_json", 400),
    ({"parameters": '{"max_depth": 1, "max_depth": 2}'}, "parameters", "duplicate_key", 400),
    ({"parameters": '{"ccp_alpha": NaN}'}, "parameters", "non_finite", 400),
    ({"environment": "python=3.11"}, "environment", "invalid_json", 400),
    ({"environment": '{"python": "3.11", "python": "3.12"}'}, "environment", "duplicate_key", 400),
    ({"environment": '{"host": Infinity}'}, "environment", "non_finite", 400),
    ({"environment": "[" * 70 + "]" * 70}, "environment", "too_deep", 400),
    ({"environment": '["python"]'}, "environment", "bad_type", 400),
    ({"fold_timings": '[{"repeat": 0,}]'}, "fold_timings", "invalid_json", 400),
    (
        {"fold_timings": '[{"repeat": 0, "fold": 0}, {"fold": 0, "repeat": 0, "fold": 1}]'},
        "fold_timings",
        "duplicate_key",
        400,
    ),
    ({"fold_timings": '{"repeat": 0, "fold": 0}'}, "fold_timings", "bad_type", 400),
    ({"fold_timings": '[{"repeat": 0, "fold": 10}]'}, "fold_timings.0.fold", "out_of_range", 400),
    (
        {"fold_timings": '[{"repeat": 0, "fold": 0}, {"repeat": 0, "fold": 0}]'},
        "fold_timings.1",
        "duplicate_fold",
        400,
    ),
    (
        {"fold_timings": '[{"repeat": 0, "fold": 0, "fit_seconds": -1}]'},
        "fold_timings.0.fit_seconds",
        "out_of_range",
        400,
    ),
    ({"seed": -1}, "seed", "min_value", 400),
    ({"task": 999999}, "task", "unknown_task", 400),
    ({"task": "x"}, "task", "invalid", 400),
    ({"colour": "blue"}, "colour", "unknown_field", 400),
    ({"description": "x" * 100_001}, "description", "too_long", 400),
    ({"tags": ",".join(f"t{i}" for i in range(51))}, "tags", "too_many_tags", 400),
    ({"team_id": 999999}, "team_id", "team_not_found", 400),
]


@pytest.mark.parametrize(
    ("fields", "field", "code", "status"), BAD_INPUT, ids=[case[2] for case in BAD_INPUT]
)
def test_bad_run_fields_are_refused_naming_the_field(
    auth_client, task, flow, bad_input_world, settings, fields, field, code, status
):
    data = {"flow": flow.pk, **fields}
    if data.get("configuration") == "FOREIGN":
        data["configuration"] = bad_input_world["foreign"].pk
    task_id = data.pop("task", task.pk)
    data = {key: value for key, value in data.items() if value is not None}
    response = post_run(auth_client, task_id, as_csv(predictions(task)), **data)
    assert response.status_code == status, response.json()
    assert response.json()["errors"][field][0]["code"] == code
    for model in (Run, RunFile, Evaluation):
        assert not model.objects.exists()
    assert Configuration.objects.count() == 1  # the foreign one only
    runs_dir = Path(settings.MEDIA_ROOT) / "runs"
    assert not runs_dir.exists() or not any(p.is_file() for p in runs_dir.rglob("*"))


def test_a_task_you_cannot_see_is_unknown_and_nothing_is_stored(user, flow, ingest, settings):
    owner = UserFactory()
    dataset = ingest(
        upload,
        owner,
        text=FLOWERS,
        name="secret",
        default_target_attribute="kind",
        visibility="private",
    )
    hidden, _ = ingest(
        create_task,
        creator=owner,
        dataset_id=dataset.pk,
        task_type=1,
        target="kind",
        estimation_procedure_id=1,
    )
    hidden.refresh_from_db()
    response = post_run(client_for(user), hidden.pk, as_csv(predictions(hidden)), flow=flow.pk)
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_task"
    assert response.json()["errors"]["task"][0]["code"] == "unknown_task"
    assert_nothing_stored(settings)
    # The owner, who can see it, may upload the very same file.
    response = post_run(client_for(owner), hidden.pk, as_csv(predictions(hidden)), flow=flow.pk)
    assert response.status_code == 201
