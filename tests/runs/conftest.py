"""Fixtures for runs: an active classification task, a flow, and predictions made to fit.

Everything goes through the real services (upload, ingestion, task creation, splits job
run on commit), so what the tests score is what a user's run would be scored against.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from flows.services import create_flow
from tasks.models import Task
from tasks.services import create_task
from tests.datasets.conftest import upload

# 40 rows, three classes; class of row i is LABELS[i % 3].
LABELS = ["a", "b", "c"]
FLOWERS = "width,height,kind\n" + "".join(
    f"{(i * 7) % 13 + 0.5},{(i * 5) % 11},{LABELS[i % 3]}\n" for i in range(40)
)
TRUTH = [LABELS[i % 3] for i in range(40)]
NUMBERS = "x,y\n" + "".join(f"{i},{i * 0.5 + 1}\n" for i in range(30))

FLOW_SPEC = {
    "name": "sklearn.tree.DecisionTreeClassifier",
    "external_version": "sklearn==1.5.2",
    "description": "A decision tree.",
    "dependencies": "sklearn==1.5.2",
    "parameters": [
        {"name": "max_depth", "data_type": "any", "default": None},
        {"name": "min_samples_leaf", "data_type": "int", "default": 1},
        {"name": "ccp_alpha", "data_type": "float", "default": 0.0},
        {"name": "criterion", "data_type": "str", "default": "gini"},
    ],
}

PIPELINE_SPEC = {
    "name": "sklearn.pipeline.Pipeline(scale=sklearn.preprocessing.StandardScaler,"
    "clf=sklearn.tree.DecisionTreeClassifier)",
    "external_version": "sklearn==1.5.2",
    "parameters": [{"name": "memory", "data_type": "any", "default": None}],
    "components": [
        {
            "identifier": "scale",
            "flow": {
                "name": "sklearn.preprocessing.StandardScaler",
                "external_version": "sklearn==1.5.2",
                "parameters": [{"name": "with_mean", "data_type": "bool", "default": True}],
            },
        },
        {"identifier": "clf", "flow": FLOW_SPEC},
    ],
}


@pytest.fixture
def task(user, ingest) -> Task:
    """An active 10-fold CV classification task on 40 rows (splits stored)."""
    dataset = ingest(upload, user, text=FLOWERS, name="flowers", default_target_attribute="kind")
    created, _ = ingest(
        create_task,
        creator=user,
        dataset_id=dataset.pk,
        task_type=1,
        target="kind",
        estimation_procedure_id=1,
    )
    created.refresh_from_db()
    assert created.status == Task.Status.ACTIVE
    return created


@pytest.fixture
def regression_task(user, ingest) -> Task:
    dataset = ingest(upload, user, text=NUMBERS, name="numbers", default_target_attribute="y")
    created, _ = ingest(
        create_task,
        creator=user,
        dataset_id=dataset.pk,
        task_type=2,
        target="y",
        estimation_procedure_id=7,
    )
    created.refresh_from_db()
    assert created.status == Task.Status.ACTIVE
    return created


@pytest.fixture
def flow(user):
    return create_flow(uploader=user, spec=FLOW_SPEC)[0]


def split_rows(task: Task) -> pd.DataFrame:
    """The task's test rows: (repeat, fold, row_id), in canonical order."""
    from tasks.services import splits_path
    from tunebench import engine

    splits = engine.read_splits_parquet(splits_path(task.pk, "parquet"))
    rows = []
    for repeat, fold, _train, test in splits.iter_folds():
        rows.extend((repeat, fold, int(r)) for r in test)
    return pd.DataFrame(rows, columns=["repeat", "fold", "row_id"])


def predictions(task: Task, *, correct: float = 1.0, confidences: bool = True) -> pd.DataFrame:
    """Predictions for every test row: right on the first ``correct`` share of rows."""
    frame = split_rows(task)
    truth = np.array(TRUTH)[frame["row_id"].to_numpy()]
    wrong = np.arange(len(frame)) >= round(correct * len(frame))
    predicted = np.where(wrong, np.roll(truth, 1), truth)
    frame["prediction"] = predicted
    if confidences:
        for label in LABELS:
            frame[f"confidence.{label}"] = (predicted == label).astype(float)
    return frame


def regression_predictions(task: Task, *, offset: float = 0.0) -> pd.DataFrame:
    frame = split_rows(task)
    frame["prediction"] = frame["row_id"] * 0.5 + 1 + offset
    return frame


def as_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def as_parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()
