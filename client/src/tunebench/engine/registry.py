"""The estimator registry: the only models a Tunebench worker will ever build from user input.

A submitted configuration names an estimator and gives hyperparameter values. Both are data, so
neither may become code: the name is looked up in a fixed dict of scikit-learn classes, built by
explicit `from sklearn... import X` statements in `_classes()` (never `importlib` or `getattr`
on a user's string), and the values are checked against a typed space before scikit-learn sees
them. `os.system`, `sklearn.preprocessing.FunctionTransformer` or a name with a Cyrillic letter
that looks Latin are simply not keys of that dict (reliability-checklist S3).

    values = validate_parameters("sklearn.ensemble.RandomForestClassifier", {"max_depth": 8})
    model = build_pipeline(name, values, seed=0, nominal_columns=[...], numeric_columns=[...])

The space of every estimator is derived from scikit-learn's own `_parameter_constraints` (an
`Interval(Integral, 1, None, closed="left")` becomes an int with low 1, a `StrOptions` the
choices, `"boolean"` a bool, `None` in the list makes the parameter nullable), then narrowed by
explicit overrides in `_SPECS`, each commented where it is not obvious:

- Search bounds. Every int and float has finite, inclusive bounds, so a sweep can sample it and
  no value can ask for 10**9 trees: n_estimators and boosting iterations <= 5000, max_depth <=
  1000, max_iter <= 100000, C in [1e-6, 1e6] on a log scale, tolerances in [1e-10, 1] log, and
  so on. Where scikit-learn's interval is open at a finite end (C > 0), the override closes it
  at a practical value; an override may only narrow scikit-learn's interval (asserted when the
  registry is built, and every bound is checked against scikit-learn by the tests).
- One form per parameter. Where scikit-learn accepts several (max_features as a count, a
  fraction or "sqrt"; min_samples_split as a count or a fraction), we keep the form that does
  not depend on the dataset's width or height. For an int or float parameter, `choices` lists
  the named values also accepted ("sqrt"/"log2" for max_features, "scale"/"auto" for gamma,
  "auto" for batch_size). Only MLP's hidden_layer_sizes takes a list, and only one from its
  menu of choices.
- Nothing that is code, I/O, parallelism or verbosity. Callables and objects (kernel and
  metric callables, `init` estimators, loss objects, scorers), `n_jobs`, `verbose`,
  `warm_start`, `memory`, `pre_dispatch`, `cache_size`, `copy_X`, per-feature arrays
  (monotonic_cst, categorical_features, priors) and class_weight dicts are not in any space:
  a configuration that sets one gets `forbidden_parameter`. Where it matters, `fixed` sets them
  (`n_jobs=1`, `verbose=0`, `warm_start=False`), and `random_state` is always the run's seed.
- Conditions. `condition` says when a parameter applies, e.g. SVC's `degree` only when
  `kernel` is "poly": the parameter is *active* when, for every (parent, values) pair, the
  parent is active and its value (given, or its default) is one of `values`. An inactive
  parameter is refused (`not_applicable`) rather than silently dropped: a person who sets
  `gamma` for a linear kernel believes it matters, and two configurations differing only in an
  ignored value must not look different. Active parameters that are not given take their
  default, so the validated dict is complete and canonical.
- Forbidden combinations. A few values scikit-learn refuses together only when fitting
  (LinearSVC's penalty="l1" with loss="hinge", Ridge's positive=True with solver="svd") are
  listed in `forbidden` and refused up front (`incompatible`).

Whatever passes all of that is set on the estimator and checked once more by scikit-learn's
own `_validate_params()`: a value our space allows but scikit-learn refuses becomes a
`rejected_by_estimator` problem (a 400), never an exception from deep inside a worker. What
cannot be checked without the data is left to the fit (a multiclass target with
LogisticRegression's "liblinear" or GradientBoostingClassifier's "exponential" loss, a
negative target with a Poisson loss, more neighbours than training rows): those runs fail
with scikit-learn's message.

The space was written against scikit-learn `REVIEWED_SKLEARN_VERSION`; it is derived again
from the installed version (`Estimator.sklearn_version`), and a test fails when the two
differ in major.minor, so an upgrade gets the overrides re-read. scikit-learn is imported on
first use of the registry, not when `tunebench.engine` is imported.
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from tunebench.engine.metrics import CLASSIFICATION, REGRESSION

REVIEWED_SKLEARN_VERSION = "1.9.1"

Kind = Literal["int", "float", "categorical", "bool"]
KINDS = ("int", "float", "categorical", "bool")

# Every code a ParameterError can carry; the API maps all of them to a 400.
PARAMETER_CODES = frozenset(
    {
        "estimator_not_allowed",
        "unknown_parameter",
        "forbidden_parameter",
        "bad_type",
        "non_finite",
        "out_of_range",
        "not_a_choice",
        "too_deep",
        "not_applicable",
        "incompatible",
        "rejected_by_estimator",
    }
)
MAX_PROBLEMS = 50  # a ParameterError reports at most this many; `total` counts them all

# Names no configuration may set, for any estimator, and why. Each estimator adds its own
# `fixed` and `excluded` parameters to these.
FORBIDDEN_PARAMETERS: Mapping[str, str] = MappingProxyType(
    {
        "n_jobs": "parallelism is set by Tunebench (one thread per job)",
        "verbose": "verbosity is set by Tunebench",
        "warm_start": "every fold is fitted from scratch",
        "random_state": "set from the run's seed",
        "memory": "a cache directory is file I/O (joblib writes and reloads pickles)",
        "pre_dispatch": "evaluated by joblib (CVE-2022-21797)",
        "cv": "the task's splits are fixed by the task",
        "copy_X": "set by Tunebench",
        "cache_size": "memory is set by Tunebench",
    }
)

# Practical bounds shared by several spaces (see the module docstring).
_C = {"low": 1e-6, "high": 1e6, "log": True}
_TOL = {"low": 1e-10, "high": 1.0, "log": True}
_MAX_ITER = 100_000
_MAX_TREES = 5000
_MAX_DEPTH = 1000
_MAX_COUNT = 10_000  # min_samples_split/leaf, leaf_size, patience (n_iter_no_change)
_MAX_LEAVES = 100_000
_MAX_SCALE = 1e6  # values in target or impurity units (epsilon, ccp_alpha, ...)
_MIN_FRACTION = 0.001  # the closed low end of a fraction scikit-learn bounds as (0, 1]
# the largest share of a training fold held out for early stopping: more leaves too little
# to train on (scikit-learn allows up to, not including, 1)
_MAX_VALIDATION = 0.5


@dataclass(frozen=True)
class Hyperparameter:
    """One user-settable parameter of an estimator.

    `kind` is "int", "float", "categorical" or "bool". `low`/`high` are inclusive bounds of an
    int or float (`log`: sample it on a log scale; then low > 0). `choices` are a categorical's
    values, or the named values an int/float also accepts (max_features' "sqrt"). `nullable`:
    None (JSON null) is accepted. `condition` is a tuple of (parent, values) pairs: the
    parameter applies only when every parent applies and has one of its values (empty: always).
    `default` is the value a configuration gets when it leaves the parameter out.
    """

    name: str
    kind: Kind
    default: Any
    low: int | float | None = None
    high: int | float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()
    nullable: bool = False
    condition: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able description (lists for tuples, the condition as an object or null)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "default": _jsonable(self.default),
            "low": self.low,
            "high": self.high,
            "log": self.log,
            "choices": [_jsonable(choice) for choice in self.choices],
            "nullable": self.nullable,
            "condition": (
                {parent: [_jsonable(v) for v in values] for parent, values in self.condition}
                if self.condition
                else None
            ),
        }


@dataclass(frozen=True)
class Forbidden:
    """A combination scikit-learn refuses when fitting: refused when every (parameter, values)
    pair in `when` holds (all of them active); the problem names `parameters.<field>`."""

    when: tuple[tuple[str, tuple[Any, ...]], ...]
    field: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "when": {name: [_jsonable(v) for v in values] for name, values in self.when},
            "field": self.field,
            "message": self.message,
        }


@dataclass(frozen=True, eq=False)
class Estimator:
    """One executable estimator: our name (scikit-learn's public import path), the task types
    it supports (1 classification, 2 regression), its space, what we fix, what no one sets."""

    name: str
    class_name: str
    task_types: tuple[int, ...]
    hyperparameters: tuple[Hyperparameter, ...]
    fixed: Mapping[str, Any]
    excluded: Mapping[str, str]  # parameter -> why no configuration may set it
    forbidden: tuple[Forbidden, ...]
    sklearn_version: str
    has_random_state: bool

    def hyperparameter(self, name: str) -> Hyperparameter:
        for hyperparameter in self.hyperparameters:
            if hyperparameter.name == name:
                return hyperparameter
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """What `list_estimators` returns for this estimator (JSON-able, no NaN or inf)."""
        return {
            "name": self.name,
            "class_name": self.class_name,
            "task_types": list(self.task_types),
            "hyperparameters": [hp.to_dict() for hp in self.hyperparameters],
            "fixed": {key: _jsonable(value) for key, value in self.fixed.items()},
            "seeded": self.has_random_state,
            "excluded": dict(self.excluded),
            "forbidden": [rule.to_dict() for rule in self.forbidden],
            "sklearn_version": self.sklearn_version,
        }


class ParameterError(ValueError):
    """A configuration that cannot run. `problems` lists every problem found (the first
    MAX_PROBLEMS), each `{"field", "code", "message"}` with `field` "estimator",
    "parameters" or "parameters.<name>"; `code` is the first problem's code, `total` the
    number found in all."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        assert problems, "a ParameterError needs at least one problem"
        for problem in problems:
            assert problem["code"] in PARAMETER_CODES, f"unknown code {problem['code']!r}"
        self.total = len(problems)
        self.problems = [dict(problem) for problem in problems[:MAX_PROBLEMS]]
        self.code = self.problems[0]["code"]
        first = self.problems[0]
        more = f" (and {self.total - 1} more)" if self.total > 1 else ""
        self.message = f"{first['field']}: {first['message']}{more}"
        super().__init__(self.message)


# --- the classes: the only place an estimator name becomes a class ---------------------------


@cache
def _classes() -> Mapping[str, type]:
    """Our name -> scikit-learn class. Every entry is an explicit import; nothing else is ever
    imported or instantiated from a configuration."""
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        ExtraTreesRegressor,
        GradientBoostingClassifier,
        GradientBoostingRegressor,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.linear_model import (
        ElasticNet,
        Lasso,
        LinearRegression,
        LogisticRegression,
        Ridge,
        SGDClassifier,
        SGDRegressor,
    )
    from sklearn.naive_bayes import BernoulliNB, GaussianNB
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.svm import SVC, SVR, LinearSVC, LinearSVR
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    return MappingProxyType(
        {
            "sklearn.ensemble.ExtraTreesClassifier": ExtraTreesClassifier,
            "sklearn.ensemble.ExtraTreesRegressor": ExtraTreesRegressor,
            "sklearn.ensemble.GradientBoostingClassifier": GradientBoostingClassifier,
            "sklearn.ensemble.GradientBoostingRegressor": GradientBoostingRegressor,
            "sklearn.ensemble.HistGradientBoostingClassifier": HistGradientBoostingClassifier,
            "sklearn.ensemble.HistGradientBoostingRegressor": HistGradientBoostingRegressor,
            "sklearn.ensemble.RandomForestClassifier": RandomForestClassifier,
            "sklearn.ensemble.RandomForestRegressor": RandomForestRegressor,
            "sklearn.linear_model.ElasticNet": ElasticNet,
            "sklearn.linear_model.Lasso": Lasso,
            "sklearn.linear_model.LinearRegression": LinearRegression,
            "sklearn.linear_model.LogisticRegression": LogisticRegression,
            "sklearn.linear_model.Ridge": Ridge,
            "sklearn.linear_model.SGDClassifier": SGDClassifier,
            "sklearn.linear_model.SGDRegressor": SGDRegressor,
            "sklearn.naive_bayes.BernoulliNB": BernoulliNB,
            "sklearn.naive_bayes.GaussianNB": GaussianNB,
            "sklearn.neighbors.KNeighborsClassifier": KNeighborsClassifier,
            "sklearn.neighbors.KNeighborsRegressor": KNeighborsRegressor,
            "sklearn.neural_network.MLPClassifier": MLPClassifier,
            "sklearn.neural_network.MLPRegressor": MLPRegressor,
            "sklearn.svm.LinearSVC": LinearSVC,
            "sklearn.svm.LinearSVR": LinearSVR,
            "sklearn.svm.SVC": SVC,
            "sklearn.svm.SVR": SVR,
            "sklearn.tree.DecisionTreeClassifier": DecisionTreeClassifier,
            "sklearn.tree.DecisionTreeRegressor": DecisionTreeRegressor,
        }
    )


# --- the specs: what is derived, what is overridden ------------------------------------------

_DERIVED: Any = object()  # "take it from scikit-learn"


@dataclass(frozen=True)
class _Spec:
    """How to derive one hyperparameter: every field left at _DERIVED comes from scikit-learn
    (`kind` from its constraints, `default` from the class's defaults)."""

    name: str
    kind: Any = _DERIVED
    low: Any = _DERIVED
    high: Any = _DERIVED
    log: bool = False
    choices: Any = _DERIVED
    nullable: Any = _DERIVED
    default: Any = _DERIVED
    when: Mapping[str, Sequence[Any]] = field(default_factory=dict)


def _hp(name: str, **overrides: Any) -> _Spec:
    return _Spec(name, **overrides)


@dataclass(frozen=True)
class _EstimatorSpec:
    name: str
    task_types: tuple[int, ...]
    hyperparameters: tuple[_Spec, ...]
    fixed: Mapping[str, Any] = field(default_factory=dict)
    excluded: Mapping[str, str] = field(default_factory=dict)
    forbidden: tuple[Forbidden, ...] = ()


def _rule(when: Mapping[str, Sequence[Any]], field_: str, message: str) -> Forbidden:
    return Forbidden(tuple((k, tuple(v)) for k, v in when.items()), field_, message)


_CLASSIFIER = (CLASSIFICATION,)
_REGRESSOR = (REGRESSION,)
_QUIET = {"verbose": 0}
_QUIET_COLD = {"verbose": 0, "warm_start": False}

# Shared by the decision trees, the forests and gradient boosting.
_TREE = (
    _hp("max_depth", high=_MAX_DEPTH),
    # counts only: the fraction forms depend on the training fold's size
    _hp("min_samples_split", kind="int", high=_MAX_COUNT),
    _hp("min_samples_leaf", kind="int", high=_MAX_COUNT),
    _hp("min_weight_fraction_leaf"),
    # a fraction of the features (or "sqrt"/"log2"/None); the count form depends on the width
    # of the one-hot encoded data
    _hp("max_features", kind="float", low=_MIN_FRACTION),
    _hp("max_leaf_nodes", high=_MAX_LEAVES),
    _hp("min_impurity_decrease", high=_MAX_SCALE),
    _hp("ccp_alpha", high=_MAX_SCALE),
)
_TREE_EXCLUDED = {"monotonic_cst": "per-feature constraints depend on the encoded columns"}
_CLASS_WEIGHT = _hp("class_weight", kind="categorical")  # "balanced" or None; dicts excluded


def _forest(classifier: bool) -> tuple[_Spec, ...]:
    return (
        _hp("n_estimators", high=_MAX_TREES),
        _hp("criterion"),
        _hp("bootstrap"),
        _hp("oob_score", kind="bool", when={"bootstrap": [True]}),  # a callable scorer excluded
        # a fraction of the rows (the count form depends on the fold's size)
        _hp("max_samples", kind="float", low=_MIN_FRACTION, high=1.0, when={"bootstrap": [True]}),
        *_TREE,
        *((_CLASS_WEIGHT,) if classifier else ()),
    )


def _gradient_boosting(classifier: bool) -> tuple[_Spec, ...]:
    return (
        _hp("loss"),
        _hp("learning_rate", low=1e-5, high=10.0, log=True),
        _hp("n_estimators", high=_MAX_TREES),
        _hp("subsample", low=_MIN_FRACTION),
        *_TREE,
        _hp("init", kind="categorical"),  # "zero" or None; an estimator object is code
        _hp("validation_fraction", low=0.01, high=_MAX_VALIDATION),
        _hp("n_iter_no_change", high=_MAX_COUNT),
        _hp("tol", **_TOL),
        *(
            ()
            if classifier
            else (_hp("alpha", low=0.01, high=0.99, when={"loss": ["huber", "quantile"]}),)
        ),
    )


def _hist_gradient_boosting(classifier: bool) -> tuple[_Spec, ...]:
    return (
        _hp("loss"),  # the names only; a loss object is code
        _hp("learning_rate", low=1e-5, high=10.0, log=True),
        _hp("max_iter", high=_MAX_TREES),
        _hp("max_leaf_nodes", high=_MAX_LEAVES),
        _hp("max_depth", high=_MAX_DEPTH),
        _hp("min_samples_leaf", high=_MAX_COUNT),
        _hp("l2_regularization", high=_MAX_SCALE),
        _hp("max_features", low=_MIN_FRACTION),
        _hp("early_stopping"),  # "auto", True or False
        # a fraction (the count form depends on the fold's size)
        _hp("validation_fraction", kind="float", low=0.01, high=_MAX_VALIDATION),
        _hp("n_iter_no_change", high=_MAX_COUNT),
        _hp("tol", **_TOL),
        _hp("max_bins"),
        *(
            (_CLASS_WEIGHT,)
            if classifier
            else (
                # scikit-learn's default is None, which the quantile loss refuses when fitting
                _hp(
                    "quantile",
                    low=0.01,
                    high=0.99,
                    nullable=False,
                    default=0.5,
                    when={"loss": ["quantile"]},
                ),
            )
        ),
    )


_HGB_EXCLUDED = {
    "monotonic_cst": "per-feature constraints depend on the encoded columns",
    "interaction_cst": "feature groups depend on the encoded columns",
    "categorical_features": "nominal features are one-hot encoded by the pipeline",
    "scoring": "early stopping uses the loss; a scorer name or callable is not settable",
}

_SVM_KERNEL = _hp(
    "kernel", choices=("linear", "poly", "rbf", "sigmoid")
)  # no callable, no precomputed
_SVM = (
    _SVM_KERNEL,
    _hp("degree", high=10, when={"kernel": ["poly"]}),
    _hp("gamma", low=1e-6, high=1e3, log=True, when={"kernel": ["rbf", "poly", "sigmoid"]}),
    _hp("coef0", low=-1e3, high=1e3, when={"kernel": ["poly", "sigmoid"]}),
    _hp("tol", **_TOL),
    _hp("C", **_C),
    _hp("shrinking"),
    _hp("max_iter", high=_MAX_ITER),  # -1 (scikit-learn's default) means no limit
)

_LINEAR_SVC_OVR = {"multi_class": ["ovr"]}  # crammer_singer ignores penalty, loss and dual

_SGD_LEARNING_RATES = ("constant", "invscaling", "adaptive", "pa1", "pa2")


def _sgd(classifier: bool) -> tuple[_Spec, ...]:
    epsilon_losses = ["huber", "epsilon_insensitive", "squared_epsilon_insensitive"]
    return (
        _hp("loss"),
        _hp("penalty"),
        # alpha > 0: the "optimal" learning rate divides by it
        _hp("alpha", low=1e-8, high=10.0, log=True),
        _hp("l1_ratio", nullable=False, when={"penalty": ["elasticnet"]}),
        _hp("fit_intercept"),
        _hp("max_iter", high=_MAX_ITER),
        _hp("tol", **_TOL),
        _hp("shuffle"),
        _hp("epsilon", high=_MAX_SCALE, when={"loss": epsilon_losses}),
        _hp("learning_rate"),
        _hp("eta0", low=1e-6, high=10.0, log=True, when={"learning_rate": _SGD_LEARNING_RATES}),
        _hp("power_t", low=0.0, high=10.0, when={"learning_rate": ["invscaling"]}),
        _hp("early_stopping"),
        _hp("validation_fraction", low=0.01, high=_MAX_VALIDATION, when={"early_stopping": [True]}),
        _hp("n_iter_no_change", high=_MAX_COUNT),
        _hp("average", kind="bool"),  # the "start averaging after n samples" int form dropped
        *((_CLASS_WEIGHT,) if classifier else ()),
    )


def _sgd_forbidden(classifier: bool) -> tuple[Forbidden, ...]:
    from_sklearn = "hinge" if classifier else "epsilon_insensitive"
    losses = (
        [
            "log_loss",
            "modified_huber",
            "squared_hinge",
            "perceptron",
            "squared_error",
            "huber",
            "epsilon_insensitive",
            "squared_epsilon_insensitive",
        ]
        if classifier
        else ["squared_error", "huber", "squared_epsilon_insensitive"]
    )
    return (
        _rule(
            {"learning_rate": ["pa1", "pa2"], "loss": losses},
            "learning_rate",
            f"learning_rate 'pa1' and 'pa2' work only with loss {from_sklearn!r}",
        ),
    )


_MLP_HIDDEN_LAYERS = (
    (10,),
    (25,),
    (50,),
    (100,),
    (200,),
    (400,),
    (50, 50),
    (100, 50),
    (100, 100),
    (200, 100),
    (200, 200),
    (100, 100, 100),
    (200, 200, 200),
)
_STOCHASTIC = {"solver": ["sgd", "adam"]}


def _mlp(classifier: bool) -> tuple[_Spec, ...]:
    return (
        # a menu of layer shapes: the one list-valued parameter of the registry
        _hp("hidden_layer_sizes", kind="categorical", choices=_MLP_HIDDEN_LAYERS),
        _hp("activation"),
        _hp("solver"),
        _hp("alpha", low=1e-8, high=10.0, log=True),
        _hp("batch_size", high=_MAX_COUNT * 10, when=_STOCHASTIC),  # an int or "auto"
        _hp("learning_rate", when={"solver": ["sgd"]}),
        _hp("learning_rate_init", low=1e-6, high=1.0, log=True, when=_STOCHASTIC),
        _hp("power_t", high=10.0, when={"solver": ["sgd"], "learning_rate": ["invscaling"]}),
        _hp("max_iter", high=_MAX_ITER),
        _hp("shuffle", when=_STOCHASTIC),
        _hp("tol", **_TOL),
        _hp("momentum", when={"solver": ["sgd"]}),
        _hp("nesterovs_momentum", when={"solver": ["sgd"]}),
        _hp("early_stopping", when=_STOCHASTIC),
        _hp("validation_fraction", low=0.01, high=_MAX_VALIDATION, when={"early_stopping": [True]}),
        _hp("beta_1", high=0.9999, when={"solver": ["adam"]}),
        _hp("beta_2", high=0.9999, when={"solver": ["adam"]}),
        _hp("epsilon", low=1e-12, high=1.0, log=True, when={"solver": ["adam"]}),
        _hp("n_iter_no_change", kind="int", high=_MAX_COUNT, when=_STOCHASTIC),  # no inf
        _hp("max_fun", high=1_000_000, when={"solver": ["lbfgs"]}),
        *(() if classifier else (_hp("loss"),)),
    )


_LINEAR_ALPHA = _hp("alpha", low=1e-8, high=1e6, log=True)  # the array-like form excluded
_RIDGE_SOLVERS_NOT_POSITIVE = ["cholesky", "lsqr", "sag", "saga", "sparse_cg", "svd"]

_SPECS: tuple[_EstimatorSpec, ...] = (
    _EstimatorSpec(
        "sklearn.linear_model.LogisticRegression",
        _CLASSIFIER,
        (
            _hp("solver"),
            _hp("C", **_C),
            # l1 and elastic-net penalties need "saga"; with the other solvers the penalty is L2
            # (scikit-learn 1.8 replaced `penalty` by l1_ratio; None is deprecated)
            _hp("l1_ratio", nullable=False, when={"solver": ["saga"]}),
            _hp("dual", when={"solver": ["liblinear"]}),
            _hp("tol", **_TOL),
            _hp("fit_intercept"),
            _hp(
                "intercept_scaling",
                low=1e-3,
                high=1e3,
                log=True,
                when={"solver": ["liblinear"], "fit_intercept": [True]},
            ),
            _CLASS_WEIGHT,
            _hp("max_iter", high=_MAX_ITER),
        ),
        fixed=_QUIET_COLD,
        excluded={"penalty": "deprecated in scikit-learn 1.8: use l1_ratio (with solver 'saga')"},
    ),
    _EstimatorSpec(
        "sklearn.linear_model.LinearRegression",
        _REGRESSOR,
        (_hp("fit_intercept"), _hp("positive"), _hp("tol", **_TOL)),
        fixed={"n_jobs": 1, "copy_X": True},
    ),
    _EstimatorSpec(
        "sklearn.linear_model.Ridge",
        _REGRESSOR,
        (
            _LINEAR_ALPHA,
            _hp("fit_intercept"),
            _hp("max_iter", high=_MAX_ITER),
            _hp("tol", **_TOL),
            _hp("solver"),
            _hp("positive"),
        ),
        fixed={"copy_X": True},
        forbidden=(
            _rule(
                {"positive": [True], "solver": _RIDGE_SOLVERS_NOT_POSITIVE},
                "solver",
                "positive=True works only with solver 'auto' or 'lbfgs'",
            ),
            _rule(
                {"solver": ["lbfgs"], "positive": [False]},
                "solver",
                "solver 'lbfgs' works only with positive=True",
            ),
        ),
    ),
    *(
        _EstimatorSpec(
            f"sklearn.linear_model.{name}",
            _REGRESSOR,
            (
                _LINEAR_ALPHA,
                *((_hp("l1_ratio"),) if name == "ElasticNet" else ()),
                _hp("fit_intercept"),
                _hp("precompute", kind="bool"),  # a Gram matrix is data, not a setting
                _hp("max_iter", high=_MAX_ITER, nullable=False),
                _hp("tol", **_TOL),
                _hp("positive"),
                _hp("selection"),
            ),
            fixed={"copy_X": True, "warm_start": False},
        )
        for name in ("Lasso", "ElasticNet")
    ),
    _EstimatorSpec(
        "sklearn.linear_model.SGDClassifier",
        _CLASSIFIER,
        _sgd(classifier=True),
        fixed={"n_jobs": 1, **_QUIET_COLD},
        forbidden=_sgd_forbidden(classifier=True),
    ),
    _EstimatorSpec(
        "sklearn.linear_model.SGDRegressor",
        _REGRESSOR,
        _sgd(classifier=False),
        fixed=_QUIET_COLD,
        forbidden=_sgd_forbidden(classifier=False),
    ),
    _EstimatorSpec(
        "sklearn.svm.LinearSVC",
        _CLASSIFIER,
        (
            _hp("multi_class"),
            _hp("penalty", when=_LINEAR_SVC_OVR),
            _hp("loss", when=_LINEAR_SVC_OVR),
            _hp("dual", when=_LINEAR_SVC_OVR),  # "auto", True or False
            _hp("tol", **_TOL),
            _hp("C", **_C),
            _hp("fit_intercept"),
            _hp("intercept_scaling", low=1e-3, high=1e3, log=True, when={"fit_intercept": [True]}),
            _CLASS_WEIGHT,
            _hp("max_iter", high=_MAX_ITER),
        ),
        fixed=_QUIET,
        forbidden=(
            _rule(
                {"penalty": ["l1"], "loss": ["hinge"]},
                "loss",
                "penalty 'l1' does not work with loss 'hinge'",
            ),
            _rule(
                {"penalty": ["l2"], "loss": ["hinge"], "dual": [False]},
                "dual",
                "loss 'hinge' needs dual=True (or 'auto')",
            ),
            _rule(
                {"penalty": ["l1"], "loss": ["squared_hinge"], "dual": [True]},
                "dual",
                "penalty 'l1' needs dual=False (or 'auto')",
            ),
        ),
    ),
    _EstimatorSpec(
        "sklearn.svm.LinearSVR",
        _REGRESSOR,
        (
            # scikit-learn accepts any real; a negative margin means nothing
            _hp("epsilon", kind="float", low=0.0, high=_MAX_SCALE),
            _hp("tol", **_TOL),
            _hp("C", **_C),
            _hp("loss"),
            _hp("fit_intercept"),
            _hp("intercept_scaling", low=1e-3, high=1e3, log=True, when={"fit_intercept": [True]}),
            _hp("dual"),
            _hp("max_iter", high=_MAX_ITER),
        ),
        fixed=_QUIET,
        forbidden=(
            _rule(
                {"loss": ["epsilon_insensitive"], "dual": [False]},
                "dual",
                "loss 'epsilon_insensitive' needs dual=True (or 'auto')",
            ),
        ),
    ),
    _EstimatorSpec(
        "sklearn.svm.SVC",
        _CLASSIFIER,
        (
            *_SVM,
            _CLASS_WEIGHT,
            _hp("decision_function_shape"),
            _hp("break_ties", when={"decision_function_shape": ["ovr"]}),
        ),
        fixed={"verbose": 0, "cache_size": 200},
        excluded={"probability": "deprecated in scikit-learn 1.9"},
    ),
    _EstimatorSpec(
        "sklearn.svm.SVR",
        _REGRESSOR,
        (*_SVM, _hp("epsilon", high=_MAX_SCALE)),
        fixed={"verbose": 0, "cache_size": 200},
    ),
    *(
        _EstimatorSpec(
            f"sklearn.neighbors.KNeighbors{kind}",
            task_types,
            (
                _hp("n_neighbors", high=1000, nullable=False),
                _hp("weights", nullable=False),  # None means "uniform": one spelling only
                _hp("algorithm"),
                _hp("leaf_size", high=_MAX_COUNT),
                # metrics every algorithm supports on dense numbers; no callables, no
                # "precomputed", none that needs metric_params
                _hp("metric", choices=("minkowski", "euclidean", "manhattan", "chebyshev")),
                # p < 1 works only with algorithm "brute"
                _hp("p", low=1.0, high=10.0, nullable=False, when={"metric": ["minkowski"]}),
            ),
            fixed={"n_jobs": 1},
            excluded={"metric_params": "a dict of metric arguments"},
        )
        for kind, task_types in (("Classifier", _CLASSIFIER), ("Regressor", _REGRESSOR))
    ),
    *(
        _EstimatorSpec(
            f"sklearn.tree.DecisionTree{kind}",
            task_types,
            (
                _hp("criterion"),
                _hp("splitter"),
                *_TREE,
                *((_CLASS_WEIGHT,) if kind == "Classifier" else ()),
            ),
            excluded=_TREE_EXCLUDED,
        )
        for kind, task_types in (("Classifier", _CLASSIFIER), ("Regressor", _REGRESSOR))
    ),
    *(
        _EstimatorSpec(
            f"sklearn.ensemble.{forest}{kind}",
            task_types,
            _forest(classifier=kind == "Classifier"),
            fixed={"n_jobs": 1, **_QUIET_COLD},
            excluded=_TREE_EXCLUDED,
        )
        for forest in ("RandomForest", "ExtraTrees")
        for kind, task_types in (("Classifier", _CLASSIFIER), ("Regressor", _REGRESSOR))
    ),
    *(
        _EstimatorSpec(
            f"sklearn.ensemble.GradientBoosting{kind}",
            task_types,
            _gradient_boosting(classifier=kind == "Classifier"),
            fixed=_QUIET_COLD,
            excluded={"criterion": "deprecated in scikit-learn 1.9"},
        )
        for kind, task_types in (("Classifier", _CLASSIFIER), ("Regressor", _REGRESSOR))
    ),
    *(
        _EstimatorSpec(
            f"sklearn.ensemble.HistGradientBoosting{kind}",
            task_types,
            _hist_gradient_boosting(classifier=kind == "Classifier"),
            fixed=_QUIET_COLD,
            excluded=_HGB_EXCLUDED,
        )
        for kind, task_types in (("Classifier", _CLASSIFIER), ("Regressor", _REGRESSOR))
    ),
    _EstimatorSpec(
        "sklearn.naive_bayes.GaussianNB",
        _CLASSIFIER,
        (_hp("var_smoothing", low=1e-12, high=1.0, log=True),),
        excluded={"priors": "class priors are an array"},
    ),
    _EstimatorSpec(
        "sklearn.naive_bayes.BernoulliNB",
        _CLASSIFIER,
        (
            _hp("alpha", low=1e-10, high=1e3, log=True),  # the per-feature array form excluded
            _hp("force_alpha"),
            # features are standardized first, so 0 splits them at their mean
            _hp("binarize", high=100.0),
            _hp("fit_prior"),
        ),
        excluded={"class_prior": "class priors are an array"},
    ),
    *(
        _EstimatorSpec(
            f"sklearn.neural_network.MLP{kind}",
            task_types,
            _mlp(classifier=kind == "Classifier"),
            fixed=_QUIET_COLD,
        )
        for kind, task_types in (("Classifier", _CLASSIFIER), ("Regressor", _REGRESSOR))
    ),
)


# --- deriving the spaces from scikit-learn --------------------------------------------------


def _derive(cls: type, spec: _Spec, defaults: Mapping[str, Any]) -> Hyperparameter:
    """One hyperparameter from `cls._parameter_constraints[spec.name]` and the overrides."""
    from sklearn.utils._param_validation import Hidden, Interval, StrOptions

    where = f"{cls.__name__}.{spec.name}"
    intervals: dict[str, Any] = {}
    strings: list[str] = []
    boolean = nullable = False
    for constraint in cls._parameter_constraints[spec.name]:
        if isinstance(constraint, Hidden):
            continue  # internal or deprecated values: never offered
        if constraint is None:
            nullable = True
        elif isinstance(constraint, str):
            # "boolean" is a kind; "array-like", "random_state", "verbose"... are never settable
            boolean = boolean or constraint == "boolean"
        elif isinstance(constraint, Interval):
            kind = "int" if constraint.type is numbers.Integral else "float"
            assert kind not in intervals, f"{where}: two {kind} intervals"
            intervals[kind] = constraint
        elif isinstance(constraint, StrOptions):
            strings.extend(sorted(constraint.options - set(constraint.deprecated)))
        elif constraint is numbers.Real:  # any real: an unbounded float interval
            intervals["float"] = Interval(numbers.Real, None, None, closed="neither")
        # anything else (callables, classes such as dict or BaseLoss, HasMethods, Options of
        # numbers) is code, an object or a special value: never offered

    kind = spec.kind
    if kind is _DERIVED:
        if len(intervals) == 1:
            (kind,) = intervals
        elif not intervals and strings:
            kind = "categorical"
        elif not intervals and boolean:
            kind = "bool"
        else:
            raise AssertionError(f"{where}: ambiguous constraints, give the kind")
    assert kind in KINDS, f"{where}: unknown kind {kind!r}"

    low = high = None
    choices: tuple[Any, ...]
    if kind in ("int", "float"):
        assert kind in intervals, f"{where}: scikit-learn has no {kind} interval"
        interval = intervals[kind]
        low, high = _closed_bounds(interval, kind)
        low = low if spec.low is _DERIVED else spec.low
        high = high if spec.high is _DERIVED else spec.high
        assert low is not None, f"{where}: give a finite low bound"
        assert high is not None, f"{where}: give a finite high bound"
        for bound in (low, high):
            assert bound in interval, f"{where}: {bound} is outside scikit-learn's {interval}"
            assert isinstance(bound, int if kind == "int" else float), f"{where}: {bound!r}"
        assert low < high, f"{where}: empty range"
        assert not spec.log or low > 0, f"{where}: a log scale needs low > 0"
        choices = tuple(strings)
    elif kind == "categorical":
        choices = (*strings, *((True, False) if boolean else ()))
    else:
        assert boolean, f"{where}: scikit-learn does not take a bool"
        choices = ()
    if spec.choices is not _DERIVED:
        given = tuple(spec.choices)
        assert not choices or set(given) <= set(choices), f"{where}: choices not in sklearn's"
        choices = given
    if spec.nullable is not _DERIVED:
        assert nullable or not spec.nullable, f"{where}: scikit-learn does not take None"
        nullable = spec.nullable
    default = defaults[spec.name] if spec.default is _DERIVED else spec.default
    hyperparameter = Hyperparameter(
        name=spec.name,
        kind=kind,
        default=_jsonable(default),
        low=low,
        high=high,
        log=spec.log,
        choices=choices,
        nullable=nullable,
        condition=tuple((parent, tuple(values)) for parent, values in spec.when.items()),
    )
    canonical, code, message = _check_value(hyperparameter, default)
    assert code is None, f"{where}: the default {default!r} is invalid: {message}"
    return replace(hyperparameter, default=canonical)


def _closed_bounds(interval: Any, kind: str) -> tuple[Any, Any]:
    """The inclusive bounds of a scikit-learn Interval; None where it is unbounded, or open at
    a float end (there an override must give a practical closed bound)."""
    closed_left = interval.closed in ("left", "both")
    closed_right = interval.closed in ("right", "both")
    low, high = interval.left, interval.right
    if kind == "int":
        low = None if low is None else int(low if closed_left else low + 1)
        high = None if high is None else int(high if closed_right else high - 1)
    else:
        low = None if low is None or not closed_left else float(low)
        high = None if high is None or not closed_right else float(high)
    return low, high


def _build(spec: _EstimatorSpec, cls: type, version: str) -> Estimator:
    defaults = cls().get_params(deep=False)
    hyperparameters = tuple(_derive(cls, hp, defaults) for hp in spec.hyperparameters)
    names = [hp.name for hp in hyperparameters]
    where = spec.name
    assert len(set(names)) == len(names), f"{where}: a hyperparameter twice"
    assert set(spec.fixed) <= set(defaults), f"{where}: fixes a parameter it does not have"
    taken = set(names) & (set(spec.fixed) | set(spec.excluded) | set(FORBIDDEN_PARAMETERS))
    assert not taken, f"{where}: {sorted(taken)} both settable and forbidden"
    space = {hp.name: hp for hp in hyperparameters}
    for hp in hyperparameters:
        for parent, values in hp.condition:
            assert parent in space, f"{where}.{hp.name}: no parameter {parent}"
            assert parent != hp.name, f"{where}.{hp.name}: a condition on itself"
            for value in values:
                assert _check_value(space[parent], value)[1] is None, f"{where}: {value!r}"
    for rule in spec.forbidden:
        assert rule.field in space, f"{where}: forbidden names {rule.field}"
        assert all(name in space for name, _ in rule.when), f"{where}: {rule.when}"
    return Estimator(
        name=spec.name,
        class_name=cls.__name__,
        task_types=spec.task_types,
        hyperparameters=hyperparameters,
        fixed=MappingProxyType(dict(spec.fixed)),
        excluded=MappingProxyType(dict(spec.excluded)),
        forbidden=spec.forbidden,
        sklearn_version=version,
        has_random_state="random_state" in defaults,
    )


@cache
def _registry() -> Mapping[str, Estimator]:
    import sklearn

    classes = _classes()
    assert {spec.name for spec in _SPECS} == set(classes), "a class without a spec, or back"
    built = {spec.name: _build(spec, classes[spec.name], sklearn.__version__) for spec in _SPECS}
    return MappingProxyType(dict(sorted(built.items())))


class _Estimators(Mapping[str, Estimator]):
    """`ESTIMATORS`: our name -> Estimator, built (and scikit-learn imported) on first use."""

    def __getitem__(self, name: str) -> Estimator:
        return _registry()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_registry())

    def __len__(self) -> int:
        return len(_registry())

    def __repr__(self) -> str:
        return f"ESTIMATORS({sorted(self)})"


ESTIMATORS: Mapping[str, Estimator] = _Estimators()


# --- the public functions -------------------------------------------------------------------


def list_estimators(task_type: int | None = None) -> list[dict[str, Any]]:
    """Every executable estimator (for one task type, if given) as a JSON-able description:
    name, task types, hyperparameters (kind, bounds, log, choices, default, nullable,
    condition), fixed parameters, excluded ones and why, forbidden combinations."""
    if task_type not in (None, CLASSIFICATION, REGRESSION):
        raise ValueError(f"task_type must be {CLASSIFICATION}, {REGRESSION} or None")
    return [
        estimator.to_dict()
        for estimator in _registry().values()
        if task_type is None or task_type in estimator.task_types
    ]


def get_estimator(name: Any) -> Estimator:
    """The registry entry for `name`; a ParameterError (`estimator_not_allowed`) otherwise."""
    if isinstance(name, str) and name in _registry():
        return _registry()[name]
    raise ParameterError([_not_allowed(name)])


def validate_parameters(name: Any, params: Any) -> dict[str, Any]:
    """Check a configuration against the registry and return its canonical parameters.

    Every problem is collected and raised together in one ParameterError (see PARAMETER_CODES).
    Types are strict, as JSON gives them: an int parameter refuses true and 3.0 (`bad_type`),
    a float accepts 3 and returns 3.0, a bool refuses 1 and "true"; numpy scalars count as
    the Python ones. The result holds every parameter that applies, the given ones and the
    defaults of the others, with keys sorted, ints as int, floats as float (-0.0 as 0.0) and
    a list for hidden_layer_sizes: validating it again returns it unchanged, so its JSON can
    be hashed.
    """
    estimator = get_estimator(name)
    if not isinstance(params, Mapping):
        raise ParameterError(
            [_problem("parameters", "bad_type", f"must be an object, got {_show(params)}")]
        )
    space = {hp.name: hp for hp in estimator.hyperparameters}
    not_settable = {
        **FORBIDDEN_PARAMETERS,
        **{key: f"fixed by Tunebench to {value!r}" for key, value in estimator.fixed.items()},
        **estimator.excluded,
    }
    problems: list[dict[str, str]] = []
    given: dict[str, Any] = {}
    invalid: set[str] = set()
    names = [key for key in params if isinstance(key, str)]
    for key in sorted(names):
        where = f"parameters.{_clip(key)}"
        if key in space:
            value, code, message = _check_value(space[key], params[key])
            if code is None:
                given[key] = value
            else:
                invalid.add(key)
                problems.append(_problem(where, code, message))
        elif key in not_settable:
            reason = not_settable[key]
            problems.append(_problem(where, "forbidden_parameter", f"not settable: {reason}"))
        else:
            close = difflib.get_close_matches(key, list(space), n=1) if len(key) <= 100 else []
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                _problem(
                    where,
                    "unknown_parameter",
                    f"{estimator.class_name} has no such parameter{hint}",
                )
            )
    for key in params:
        if not isinstance(key, str):
            problems.append(
                _problem("parameters", "unknown_parameter", f"a key must be text, got {_show(key)}")
            )

    active = _active(estimator, given, invalid)
    for key in sorted(given):
        if active[key] is False:
            problems.append(
                _problem(f"parameters.{key}", "not_applicable", _condition_text(space[key]))
            )
    values = {
        hp.name: given.get(hp.name, hp.default)
        for hp in estimator.hyperparameters
        if active[hp.name] is True
    }
    for rule in estimator.forbidden:  # on valid, active values only
        if all(
            key not in invalid and key in values and _is_one_of(values[key], allowed)
            for key, allowed in rule.when
        ):
            problems.append(_problem(f"parameters.{rule.field}", "incompatible", rule.message))
    if not problems:  # scikit-learn sees only a configuration we found nothing wrong with
        problems.extend(_sklearn_problems(estimator, values))
    if problems:
        raise ParameterError(problems)
    return dict(sorted(values.items()))


def build_pipeline(
    name: str,
    params: Mapping[str, Any],
    *,
    seed: int,
    nominal_columns: Sequence[Any],
    numeric_columns: Sequence[Any],
) -> Any:
    """The standard pipeline for a configuration: an unfitted scikit-learn Pipeline.

    Step "preprocess", a ColumnTransformer: numeric columns are imputed with the median and
    standardized, nominal columns imputed with the most frequent value and one-hot encoded
    (unknown categories at predict time encode as all zeros); any other column is dropped and
    the output is a dense float array. The same steps are used for every estimator, trees
    included (scaling does not change which splits a tree can make), so one pipeline
    describes every run. Step "estimator": the registry's class with the validated
    parameters (validated here again, so nothing unvalidated is ever built), the fixed ones
    and `random_state=seed` where the estimator has one. Missing values are NaN or None.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    values = validate_parameters(name, params)
    _check_seed(seed)
    nominal, numeric = list(nominal_columns), list(numeric_columns)
    if not nominal and not numeric:
        raise ValueError("build_pipeline needs at least one feature column")
    if set(nominal) & set(numeric):
        raise ValueError(f"columns both nominal and numeric: {sorted(set(nominal) & set(numeric))}")
    transformers = []
    if numeric:
        scale = Pipeline(
            [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
        )
        transformers.append(("numeric", scale, numeric))
    if nominal:
        encode = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                ("encode", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
            ]
        )
        transformers.append(("nominal", encode, nominal))
    preprocess = ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0)
    model = _make(ESTIMATORS[name], values, seed)
    return Pipeline([("preprocess", preprocess), ("estimator", model)])


# --- checking values ------------------------------------------------------------------------


def _check_value(hp: Hyperparameter, value: Any) -> tuple[Any, str | None, str]:
    """(canonical value, None, "") when `value` is valid for `hp`, else (None, code, message)."""
    value = _plain(value)
    if value is None:
        if hp.nullable:
            return None, None, ""
        return None, "bad_type", f"must not be null; {_expected(hp)}"
    if isinstance(value, float) and not math.isfinite(value):
        return None, "non_finite", f"must be a finite number, got {_show(value)}"
    if isinstance(value, list | tuple) and any(isinstance(c, tuple) for c in hp.choices):
        return _check_sequence(hp, value)
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        return None, "too_deep", f"must be a single value, not a nested one; {_expected(hp)}"
    if not isinstance(value, bool | int | float | str):
        return None, "bad_type", f"must be a JSON value, got {type(value).__name__}"
    if hp.kind == "bool":
        if isinstance(value, bool):
            return value, None, ""
        return None, "bad_type", f"must be true or false, got {_show(value)}"
    if hp.kind == "categorical":
        if _is_one_of(value, hp.choices):
            return value, None, ""
        return None, "not_a_choice", f"{_show(value)} is not a choice; {_expected(hp)}"
    # int or float
    if isinstance(value, str):
        if value in hp.choices:
            return value, None, ""
        code = "not_a_choice" if hp.choices else "bad_type"
        return None, code, f"got the text {_show(value)}; {_expected(hp)}"
    if isinstance(value, bool) or (hp.kind == "int" and isinstance(value, float)):
        return None, "bad_type", f"got {_show(value)}; {_expected(hp)}"
    if hp.kind == "float":
        try:
            value = float(value) + 0.0  # ints become floats, -0.0 becomes 0.0
        except OverflowError:
            return None, "out_of_range", f"got a huge integer; {_expected(hp)}"
    assert hp.low is not None
    assert hp.high is not None
    if not hp.low <= value <= hp.high:
        return None, "out_of_range", f"got {_show(value)}; {_expected(hp)}"
    return value, None, ""


def _check_sequence(hp: Hyperparameter, value: list | tuple) -> tuple[Any, str | None, str]:
    items = [_plain(item) for item in value]
    if any(isinstance(item, Mapping | list | tuple | set | frozenset) for item in items):
        return None, "too_deep", f"must be a flat list; {_expected(hp)}"
    if _is_one_of(tuple(items), hp.choices):
        return items, None, ""
    return None, "not_a_choice", f"{_show(value)} is not a choice; {_expected(hp)}"


def _plain(value: Any) -> Any:
    """numpy scalars as Python ones (a local caller may pass np.int64(3))."""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _is_one_of(value: Any, choices: Sequence[Any]) -> bool:
    """`value in choices` without Python's 1 == True == 1.0: types must match too."""
    return any(_same(value, choice) for choice in choices)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _active(
    estimator: Estimator, given: Mapping[str, Any], invalid: set[str]
) -> dict[str, bool | None]:
    """Which parameters apply: True, False, or None when a parent's given value was invalid
    (then nothing is said about it; the parent's problem is reported instead)."""
    space = {hp.name: hp for hp in estimator.hyperparameters}
    state: dict[str, bool | None] = {}

    def resolve(name: str) -> bool | None:
        if name not in state:
            result: bool | None = True
            for parent, values in space[name].condition:
                if parent in invalid or resolve(parent) is None:
                    result = None
                    break
                if not resolve(parent) or not _is_one_of(
                    given.get(parent, space[parent].default), values
                ):
                    result = False
            state[name] = result
        return state[name]

    for name in space:
        resolve(name)
    return state


def _sklearn_problems(estimator: Estimator, values: Mapping[str, Any]) -> list[dict[str, str]]:
    """scikit-learn's own check of the parameters (`_validate_params`), as problems."""
    from sklearn.utils._param_validation import InvalidParameterError

    try:
        model = _make(estimator, values, seed=0)
        model._validate_params()
    except (InvalidParameterError, ValueError, TypeError) as error:
        text = str(error)
        match = re.match(r"The '(\w+)' parameter", text)
        where = f"parameters.{match.group(1)}" if match else "parameters"
        return [_problem(where, "rejected_by_estimator", f"scikit-learn: {text[:300]}")]
    return []


def _make(estimator: Estimator, values: Mapping[str, Any], seed: int) -> Any:
    """The estimator, from the registry's class only, with validated values."""
    settings = {key: tuple(v) if isinstance(v, list) else v for key, v in values.items()}
    settings.update(estimator.fixed)
    if estimator.has_random_state:
        settings["random_state"] = int(seed)
    model = _classes()[estimator.name]()
    model.set_params(**settings)
    return model


def _check_seed(seed: Any) -> None:
    plain = _plain(seed)
    if not isinstance(plain, int) or isinstance(plain, bool):
        raise ParameterError(
            [_problem("seed", "bad_type", f"must be an integer, got {_show(seed)}")]
        )
    if not 0 <= plain <= 2**32 - 1:
        raise ParameterError([_problem("seed", "out_of_range", "must be between 0 and 2**32 - 1")])


# --- messages -------------------------------------------------------------------------------


def _problem(field_: str, code: str, message: str) -> dict[str, str]:
    return {"field": field_, "code": code, "message": message}


def _not_allowed(name: Any) -> dict[str, str]:
    return _problem(
        "estimator",
        "estimator_not_allowed",
        f"{_show(name)} is not an executable estimator; list_estimators() names them",
    )


def _expected(hp: Hyperparameter) -> str:
    if hp.kind == "bool":
        text = "expected true or false"
    elif hp.kind == "categorical":
        text = "expected one of " + ", ".join(_show(_jsonable(c)) for c in hp.choices)
    else:
        noun = "an integer" if hp.kind == "int" else "a number"
        text = f"expected {noun} from {hp.low} to {hp.high}"
        if hp.choices:
            text += " or one of " + ", ".join(_show(c) for c in hp.choices)
    return text + (" or null" if hp.nullable else "")


def _condition_text(hp: Hyperparameter) -> str:
    parts = [
        f"{parent} is " + " or ".join(_show(_jsonable(v)) for v in values)
        for parent, values in hp.condition
    ]
    return f"applies only when {' and '.join(parts)}"


def _show(value: Any) -> str:
    """A short, ASCII-only rendering of a user's value (homoglyphs show as \\u escapes)."""
    text = ascii(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _clip(key: str) -> str:
    return key if len(key) <= 100 else key[:97] + "..."


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    return value
