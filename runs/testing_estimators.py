"""Estimators that misbehave on purpose, for the sandbox's and the server's own tests.

They let a test stack exercise every way an execution can end without a slow or flaky real
model: `tunebench.testing.Sleep` outlives a wall-clock limit, `tunebench.testing.Hog` exhausts
a memory limit and `tunebench.testing.Crash` kills its own process. The sandbox builds them
only when it runs with `testing=True` (the server turns that on in its test stacks alone); in
production their names are not in the registry, so a configuration that names one fails like
any other unknown estimator.

Like the registry, they are data: a name from `TESTING_ESTIMATORS` and parameters checked by
`validate_testing_parameters` (the registry's codes, `ParameterError`). Each predicts the most
frequent training class (probabilities uniform over the classes it saw) or the training mean.
This module never imports Django, and scikit-learn only on first use of a model.
"""

from __future__ import annotations

import math
import os
import signal
import time
from collections.abc import Mapping
from functools import cache
from importlib import metadata
from typing import Any

import numpy as np

from tunebench.engine.metrics import CLASSIFICATION, REGRESSION
from tunebench.engine.registry import Hyperparameter, ParameterError

SLEEP = "tunebench.testing.Sleep"
HOG = "tunebench.testing.Hog"
CRASH = "tunebench.testing.Crash"

_SPACES: Mapping[str, tuple[Hyperparameter, ...]] = {
    SLEEP: (Hyperparameter("seconds", "float", default=0.0, low=0.0, high=3600.0),),
    HOG: (Hyperparameter("megabytes", "int", default=1024, low=1, high=1_000_000),),
    CRASH: (),
}
TESTING_ESTIMATORS: frozenset[str] = frozenset(_SPACES)


def describe_testing_estimators() -> list[dict[str, Any]]:
    """The testing estimators in `tunebench.engine.list_estimators()`'s shape, by name."""
    return [
        {
            "name": name,
            "class_name": name.rsplit(".", 1)[1],
            "task_types": [CLASSIFICATION, REGRESSION],
            "hyperparameters": [hp.to_dict() for hp in _SPACES[name]],
            "fixed": {},
            "seeded": False,
            "excluded": {},
            "forbidden": [],
            "sklearn_version": metadata.version("scikit-learn"),
        }
        for name in sorted(_SPACES)
    ]


def validate_testing_parameters(name: Any, params: Any) -> dict[str, Any]:
    """The canonical, complete parameters of a testing estimator (defaults filled in, keys
    sorted, a float parameter given 3 returns 3.0). Types are strict as in the registry: an
    int refuses true and 3.0. Every problem is raised together in a `ParameterError`."""
    if not isinstance(name, str) or name not in _SPACES:
        raise ParameterError(
            [_problem("estimator", "estimator_not_allowed", f"{ascii(name)[:80]} is not allowed")]
        )
    if not isinstance(params, Mapping):
        raise ParameterError([_problem("parameters", "bad_type", "must be an object")])
    space = {hp.name: hp for hp in _SPACES[name]}
    problems: list[dict[str, str]] = []
    values = {hp.name: hp.default for hp in space.values()}
    for key in sorted(params, key=str):
        where = f"parameters.{str(key)[:100]}"
        if key not in space:
            problems.append(_problem(where, "unknown_parameter", f"{name} has no such parameter"))
            continue
        value, code, message = _check(space[key], params[key])
        if code:
            problems.append(_problem(where, code, message))
        else:
            values[key] = value
    if problems:
        raise ParameterError(problems)
    return dict(sorted(values.items()))


def make_testing_model(name: str, params: Mapping[str, Any], task_type: int) -> Any:
    """An unfitted scikit-learn estimator for a testing configuration (validated here)."""
    if task_type not in (CLASSIFICATION, REGRESSION):
        raise ValueError(f"task_type must be {CLASSIFICATION} or {REGRESSION}")
    values = validate_testing_parameters(name, params)
    return _classes()[name](**values, task_type=task_type)


def _check(hp: Hyperparameter, value: Any) -> tuple[Any, str, str]:
    """(canonical value, "", "") when valid, else (None, code, message)."""
    if isinstance(value, np.generic):
        value = value.item()
    expected = (
        f"expected {'an integer' if hp.kind == 'int' else 'a number'} from {hp.low} to {hp.high}"
    )
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, "bad_type", f"got {ascii(value)[:80]}; {expected}"
    if isinstance(value, float) and not math.isfinite(value):
        return None, "non_finite", f"must be a finite number, got {value!r}"
    if hp.kind == "int" and isinstance(value, float):
        return None, "bad_type", f"got {value!r}; {expected}"
    if hp.kind == "float":
        try:
            value = float(value) + 0.0
        except OverflowError:
            return None, "out_of_range", f"got a huge integer; {expected}"
    assert hp.low is not None
    assert hp.high is not None
    if not hp.low <= value <= hp.high:
        return None, "out_of_range", f"got {value!r}; {expected}"
    return value, "", ""


def _problem(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


@cache
def _classes() -> Mapping[str, type]:
    """Name -> class, defined on first use so importing this module does not load
    scikit-learn (the web process only describes and validates)."""
    from sklearn.base import BaseEstimator
    from sklearn.utils.metaestimators import available_if

    class _Constant(BaseEstimator):
        """Predicts the most frequent training class or the training mean; `_misbehave` is
        what the subclass does while fitting."""

        task_type: int

        def _misbehave(self) -> None:
            """What the estimator does wrong while fitting: nothing here; each test
            estimator below overrides it."""

        def fit(self, X: Any, y: Any) -> _Constant:
            self._misbehave()
            if self.task_type == CLASSIFICATION:
                labels, counts = np.unique(
                    np.asarray(y, dtype=object).astype(str), return_counts=True
                )
                self.classes_ = labels.astype(object)
                self.majority_ = labels[int(np.argmax(counts))]
            else:
                target = np.asarray(y, dtype=np.float64)
                self.mean_ = float(target.mean()) if len(target) else 0.0
            return self

        def predict(self, X: Any) -> np.ndarray:
            if self.task_type == CLASSIFICATION:
                return np.full(len(X), self.majority_, dtype=object)
            return np.full(len(X), self.mean_, dtype=np.float64)

        @available_if(lambda self: self.task_type == CLASSIFICATION)
        def predict_proba(self, X: Any) -> np.ndarray:
            return np.full((len(X), len(self.classes_)), 1.0 / len(self.classes_))

    class Sleep(_Constant):
        """Sleeps `seconds` in every fit: outlives a wall-clock limit without using CPU."""

        def __init__(self, seconds: float = 0.0, task_type: int = CLASSIFICATION) -> None:
            self.seconds = seconds
            self.task_type = task_type

        def _misbehave(self) -> None:
            time.sleep(self.seconds)

    class Hog(_Constant):
        """Allocates and touches `megabytes` MiB in every fit."""

        def __init__(self, megabytes: int = 1024, task_type: int = CLASSIFICATION) -> None:
            self.megabytes = megabytes
            self.task_type = task_type

        def _misbehave(self) -> None:
            block = np.ones(self.megabytes * 2**20 // 8)  # np.ones writes every page
            self.touched_ = float(block[:: 4096 // 8].sum())

    class Crash(_Constant):
        """Kills its own process with SIGKILL in fit, as the kernel's OOM killer would."""

        def __init__(self, task_type: int = CLASSIFICATION) -> None:
            self.task_type = task_type

        def _misbehave(self) -> None:
            os.kill(os.getpid(), signal.SIGKILL)

    return {SLEEP: Sleep, HOG: Hog, CRASH: Crash}
