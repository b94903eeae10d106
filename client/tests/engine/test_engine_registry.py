"""Tests for tunebench.engine.registry: the allowlist, the spaces, validation and the pipeline.

No Django. The data are tiny, and the one check per estimator that fits (defaults) fits once;
the bound checks only build estimators and ask scikit-learn's `_validate_params`.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from tunebench.engine import (
    ESTIMATORS,
    FORBIDDEN_PARAMETERS,
    PARAMETER_CODES,
    REVIEWED_SKLEARN_VERSION,
    Estimator,
    ParameterError,
    build_pipeline,
    get_estimator,
    list_estimators,
    registry,
    validate_parameters,
)
from tunebench.engine.metrics import CLASSIFICATION, REGRESSION

NAMES = sorted(ESTIMATORS)
RFC = "sklearn.ensemble.RandomForestClassifier"
HGBR = "sklearn.ensemble.HistGradientBoostingRegressor"
SVC = "sklearn.svm.SVC"
LOGREG = "sklearn.linear_model.LogisticRegression"
NUMERIC, NOMINAL = ["x1", "x2"], ["colour", "size"]


def tiny_frame(rows: int = 60, seed: int = 0) -> pd.DataFrame:
    """Two numeric columns (one nullable Int64) and two nominal ones (object and category),
    with missing values in every column."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=rows)
    x1[::7] = np.nan
    x2 = pd.array(rng.integers(0, 100, size=rows), dtype="Int64")
    x2[3::9] = pd.NA
    colour = rng.choice(["red", "green", "blue"], size=rows).astype(object)
    colour[::5] = None
    size = pd.Categorical(rng.choice(["S", "M", "L"], size=rows))
    size[2::11] = np.nan
    return pd.DataFrame({"x1": x1, "x2": x2, "colour": colour, "size": size})


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    X = tiny_frame()
    rng = np.random.default_rng(1)
    labels = np.array(["a", "b", "c"])[rng.integers(0, 3, size=len(X))]
    target = X["x1"].fillna(0).to_numpy() * 2 + rng.normal(size=len(X))
    return {"X": X, "labels": labels, "target": target}


def fit_predict(pipeline: Any, X: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    """Fit and predict on one thread, as the execution child will (OpenMP's default of one
    thread per CPU makes HistGradientBoosting on 60 rows take seconds on a busy box)."""
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # tiny data, few iterations
        pipeline.fit(X, y)
        return pipeline.predict(X)


def problems_of(name: Any, params: Any) -> list[dict[str, str]]:
    with pytest.raises(ParameterError) as caught:
        validate_parameters(name, params)
    return caught.value.problems


def activating(estimator: Estimator, name: str) -> dict[str, Any]:
    """Parent values that make `name` apply (and clash with no forbidden combination)."""
    hp = estimator.hyperparameter(name)
    if not hp.condition:
        return {}
    options = []
    for parent, values in hp.condition:
        above = activating(estimator, parent)
        options.append([{**above, parent: value} for value in values])
    for combination in itertools.product(*options):
        params = {key: value for part in combination for key, value in part.items()}
        try:
            validate_parameters(estimator.name, params)
        except ParameterError:
            continue
        return params
    raise AssertionError(f"{estimator.name}.{name} can never apply")


# --- the allowlist --------------------------------------------------------------------------


def test_the_allowlist_is_the_issue_list() -> None:
    """27 estimators, named by scikit-learn's public import path, each for one task type."""
    families = {
        "ensemble": [
            "ExtraTreesClassifier",
            "ExtraTreesRegressor",
            "GradientBoostingClassifier",
            "GradientBoostingRegressor",
            "HistGradientBoostingClassifier",
            "HistGradientBoostingRegressor",
            "RandomForestClassifier",
            "RandomForestRegressor",
        ],
        "linear_model": [
            "ElasticNet",
            "Lasso",
            "LinearRegression",
            "LogisticRegression",
            "Ridge",
            "SGDClassifier",
            "SGDRegressor",
        ],
        "naive_bayes": ["BernoulliNB", "GaussianNB"],
        "neighbors": ["KNeighborsClassifier", "KNeighborsRegressor"],
        "neural_network": ["MLPClassifier", "MLPRegressor"],
        "svm": ["LinearSVC", "LinearSVR", "SVC", "SVR"],
        "tree": ["DecisionTreeClassifier", "DecisionTreeRegressor"],
    }
    expected = {f"sklearn.{module}.{cls}" for module, names in families.items() for cls in names}
    assert set(ESTIMATORS) == expected
    for name, estimator in ESTIMATORS.items():
        assert estimator.name == name
        assert name.endswith("." + estimator.class_name)
        classifier = estimator.class_name.endswith("Classifier") or estimator.class_name in {
            "LogisticRegression",
            "LinearSVC",
            "SVC",
            "GaussianNB",
            "BernoulliNB",
        }
        assert estimator.task_types == ((CLASSIFICATION,) if classifier else (REGRESSION,))


def test_space_was_reviewed_for_the_installed_sklearn() -> None:
    """An upgrade of scikit-learn's minor version must come with a re-read of the overrides."""
    installed = sklearn.__version__.split(".")[:2]
    assert installed == REVIEWED_SKLEARN_VERSION.split(".")[:2]
    assert all(e.sklearn_version == sklearn.__version__ for e in ESTIMATORS.values())


@pytest.mark.parametrize("name", NAMES)
def test_every_sklearn_parameter_is_settable_fixed_or_excluded(name: str) -> None:
    """Nothing scikit-learn accepts is left unreviewed, and nothing is in two places."""
    estimator = ESTIMATORS[name]
    sklearn_params = set(registry._classes()[name]().get_params(deep=False))
    space = {hp.name for hp in estimator.hyperparameters}
    fixed, excluded = set(estimator.fixed), set(estimator.excluded)
    reviewed = space | fixed | excluded | set(FORBIDDEN_PARAMETERS)
    assert sklearn_params <= reviewed, sorted(sklearn_params - reviewed)
    assert space <= sklearn_params
    assert not space & (fixed | excluded | set(FORBIDDEN_PARAMETERS))
    assert not fixed & excluded


@pytest.mark.parametrize("name", NAMES)
def test_the_space_is_typed_and_bounded(name: str) -> None:
    """Every numeric parameter has finite bounds (low > 0 on a log scale); a default is valid."""
    for hp in ESTIMATORS[name].hyperparameters:
        assert hp.kind in registry.KINDS
        if hp.kind in ("int", "float"):
            numeric = int if hp.kind == "int" else float
            assert isinstance(hp.low, numeric)
            assert isinstance(hp.high, numeric)
            assert math.isfinite(hp.low)
            assert math.isfinite(hp.high)
            assert hp.low < hp.high
            assert not hp.log or hp.low > 0
            assert all(isinstance(choice, str) for choice in hp.choices)
        elif hp.kind == "categorical":
            assert hp.choices
        else:
            assert hp.choices == ()
        assert registry._check_value(hp, hp.default) == (hp.default, None, "")


# --- fitting with defaults, and what the built estimator holds -------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_estimator_fits_with_defaults(name: str, data: dict[str, Any]) -> None:
    """Defaults validate, build inside the standard pipeline, and fit and predict a tiny table
    with numeric and nominal columns and missing values in each."""
    estimator = ESTIMATORS[name]
    values = validate_parameters(name, {})
    assert validate_parameters(name, values) == values
    pipeline = build_pipeline(name, {}, seed=3, nominal_columns=NOMINAL, numeric_columns=NUMERIC)
    assert [step for step, _ in pipeline.steps] == ["preprocess", "estimator"]
    model = pipeline.named_steps["estimator"]
    assert type(model) is registry._classes()[name]
    held = model.get_params(deep=False)
    for key, value in values.items():
        assert held[key] == (tuple(value) if isinstance(value, list) else value), key
    for key, value in estimator.fixed.items():
        assert held[key] == value, key
    assert held.get("random_state") == (3 if estimator.has_random_state else None)

    X = data["X"]
    classifier = CLASSIFICATION in estimator.task_types
    y = data["labels"] if classifier else data["target"]
    predicted = fit_predict(pipeline, X, y)
    assert predicted.shape == (len(X),)
    if classifier:
        assert set(predicted) <= {"a", "b", "c"}
    else:
        assert np.isfinite(predicted.astype(float)).all()


def test_the_pipeline_encodes_unknown_categories_as_zeros(data: dict[str, Any]) -> None:
    """A category the training rows never had is predicted, not refused."""
    pipeline = build_pipeline(LOGREG, {}, seed=0, nominal_columns=NOMINAL, numeric_columns=NUMERIC)
    fit_predict(pipeline, data["X"], data["labels"])
    unseen = data["X"].head(3).assign(colour=["purple", None, "red"])
    assert pipeline.predict(unseen).shape == (3,)
    transformed = pipeline.named_steps["preprocess"].transform(unseen)
    assert isinstance(transformed, np.ndarray)  # dense: HistGradientBoosting needs it


@pytest.mark.parametrize(
    ("name", "params"),
    [
        (RFC, {"n_estimators": 25, "max_features": 0.5, "max_samples": 0.7}),
        (
            HGBR,
            {
                "max_iter": 30,
                "early_stopping": True,
                "validation_fraction": 0.2,
                "n_iter_no_change": 2,
            },
        ),
    ],
)
def test_same_configuration_and_seed_give_identical_predictions(
    name: str, params: dict[str, Any], data: dict[str, Any]
) -> None:
    """Determinism (issue 6, S15): two builds with one seed predict bit for bit alike."""
    y = data["labels"] if name == RFC else data["target"]
    runs = []
    for _ in range(2):
        pipeline = build_pipeline(
            name, params, seed=7, nominal_columns=NOMINAL, numeric_columns=NUMERIC
        )
        predicted = fit_predict(pipeline, data["X"], y)
        extra = pipeline.predict_proba(data["X"]) if name == RFC else predicted
        runs.append((predicted, extra))
    assert np.array_equal(runs[0][0], runs[1][0])
    assert np.array_equal(runs[0][1], runs[1][1])


# --- every bound and choice is one scikit-learn accepts -------------------------------------


def options(estimator: Estimator, name: str) -> list[Any]:
    hp = estimator.hyperparameter(name)
    return [True, False] if hp.kind == "bool" else list(hp.choices)


def validate_avoiding_clashes(estimator: Estimator, params: dict[str, Any], name: str) -> Any:
    """Validate `params`; if `params[name]` clashes with a forbidden combination, retry with
    another value for each other parameter of that combination (Ridge's solver "lbfgs" needs
    positive=True), so that every value still reaches scikit-learn's check."""
    try:
        return validate_parameters(estimator.name, params)
    except ParameterError as error:
        if error.code != "incompatible":
            raise
    for rule in estimator.forbidden:
        for other, _ in rule.when:
            for value in options(estimator, other) if other != name else []:
                try:
                    return validate_parameters(estimator.name, {**params, other: value})
                except ParameterError:
                    continue
    raise AssertionError(f"{estimator.name}: {params} clashes whatever the other values")


@pytest.mark.parametrize("name", NAMES)
def test_every_bound_and_choice_is_accepted_by_sklearn(name: str) -> None:
    """At low and high of each int/float and at each choice, with the parents that make it
    apply, validation (which ends with scikit-learn's own `_validate_params`) passes; just
    outside a bound it is `out_of_range`."""
    estimator = ESTIMATORS[name]
    for hp in estimator.hyperparameters:
        parents = activating(estimator, hp.name)
        if hp.kind in ("int", "float"):
            values = [hp.low, hp.high, *hp.choices]
        else:
            values = [list(c) if isinstance(c, tuple) else c for c in options(estimator, hp.name)]
        values += [None] if hp.nullable else []
        for value in values:
            result = validate_avoiding_clashes(estimator, {**parents, hp.name: value}, hp.name)
            assert result[hp.name] == value
        if hp.kind in ("int", "float"):
            step = 1 if hp.kind == "int" else abs(hp.low) * 1e-9 + 1e-12
            for outside in (hp.low - step, hp.high + (1 if hp.kind == "int" else hp.high * 1e-9)):
                problems = problems_of(name, {**parents, hp.name: outside})
                assert [p["code"] for p in problems] == ["out_of_range"], (hp.name, outside)


def test_a_value_our_space_allows_but_sklearn_refuses_is_a_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If a space is ever wider than scikit-learn (C <= 0 here, planted on purpose), the value
    becomes `rejected_by_estimator` naming the field: a 400, not a crash in a worker."""
    real = ESTIMATORS[SVC]
    wider = tuple(
        dataclasses.replace(hp, low=-1.0) if hp.name == "C" else hp for hp in real.hyperparameters
    )
    patched = dict(registry._registry())
    patched[SVC] = dataclasses.replace(real, hyperparameters=wider)
    monkeypatch.setattr(registry, "_registry", lambda: patched)
    problems = problems_of(SVC, {"C": -0.5})
    assert problems == [
        {
            "field": "parameters.C",
            "code": "rejected_by_estimator",
            "message": problems[0]["message"],
        }
    ]
    assert "scikit-learn" in problems[0]["message"]


# --- bad input: one code per case -----------------------------------------------------------

HOMOGLYPH = "sklearn.ensemble.RandomForestClassifi\u0435r"  # Cyrillic "e"

BAD_ESTIMATORS = [
    "os.system",
    "subprocess.Popen",
    "builtins.eval",
    "sklearn.preprocessing.FunctionTransformer",
    "sklearn.pipeline.Pipeline",
    "sklearn.model_selection.GridSearchCV",
    "sklearn.ensemble._forest.RandomForestClassifier",
    "sklearn.ensemble.randomforestclassifier",
    " sklearn.svm.SVC",
    "sklearn.svm.SVC\x00",
    HOMOGLYPH,
    "RandomForestClassifier",
    "",
    None,
    42,
    ["sklearn.svm.SVC"],
    {"name": "sklearn.svm.SVC"},
]


@pytest.mark.parametrize("name", BAD_ESTIMATORS, ids=repr)
def test_an_estimator_outside_the_registry_is_not_allowed(name: Any) -> None:
    """S3: names resolve through a dict of vetted classes, never by import string."""
    problems = problems_of(name, {})
    assert [(p["field"], p["code"]) for p in problems] == [("estimator", "estimator_not_allowed")]
    assert problems[0]["message"].isascii()  # a homoglyph shows as an escape
    with pytest.raises(ParameterError):
        build_pipeline(name, {}, seed=0, nominal_columns=[], numeric_columns=["x1"])


def test_a_homoglyph_is_shown_escaped() -> None:
    (problem,) = problems_of(HOMOGLYPH, {})
    assert "\\u0435" in problem["message"]


BAD_VALUES = [
    # (estimator, parameters, field, code)
    (RFC, {"max_dept": 3}, "max_dept", "unknown_parameter"),
    (RFC, {"n_estimators": "100"}, "n_estimators", "bad_type"),
    (SVC, {"C": "1.0"}, "C", "bad_type"),
    (RFC, {"max_depth": True}, "max_depth", "bad_type"),
    (RFC, {"n_estimators": 1.5}, "n_estimators", "bad_type"),
    (RFC, {"n_estimators": 100.0}, "n_estimators", "bad_type"),
    (RFC, {"bootstrap": 1}, "bootstrap", "bad_type"),
    (RFC, {"bootstrap": "true"}, "bootstrap", "bad_type"),
    (SVC, {"C": None}, "C", "bad_type"),
    (SVC, {"kernel": len}, "kernel", "bad_type"),
    (SVC, {"kernel": b"rbf"}, "kernel", "bad_type"),
    (SVC, {"C": object()}, "C", "bad_type"),
    (SVC, {"C": math.nan}, "C", "non_finite"),
    (SVC, {"C": math.inf}, "C", "non_finite"),
    (SVC, {"C": -math.inf}, "C", "non_finite"),
    (RFC, {"max_depth": math.nan}, "max_depth", "non_finite"),
    (SVC, {"kernel": math.nan}, "kernel", "non_finite"),
    (RFC, {"n_estimators": 10**9}, "n_estimators", "out_of_range"),
    (RFC, {"n_estimators": 0}, "n_estimators", "out_of_range"),
    (RFC, {"max_depth": 10**6}, "max_depth", "out_of_range"),
    (SVC, {"C": -1}, "C", "out_of_range"),
    (SVC, {"C": 0}, "C", "out_of_range"),
    (SVC, {"C": 10**400}, "C", "out_of_range"),
    (LOGREG, {"max_iter": 10**12}, "max_iter", "out_of_range"),
    (LOGREG, {"max_iter": 1e12}, "max_iter", "bad_type"),
    (RFC, {"criterion": "gini "}, "criterion", "not_a_choice"),
    (RFC, {"criterion": 1}, "criterion", "not_a_choice"),
    (SVC, {"kernel": "precomputed"}, "kernel", "not_a_choice"),
    ("sklearn.neighbors.KNeighborsClassifier", {"metric": "pyfunc"}, "metric", "not_a_choice"),
    (RFC, {"max_features": "auto"}, "max_features", "not_a_choice"),
    ("sklearn.svm.LinearSVC", {"dual": 1}, "dual", "not_a_choice"),
    ("sklearn.svm.LinearSVC", {"dual": "True"}, "dual", "not_a_choice"),
    (
        "sklearn.tree.DecisionTreeClassifier",
        {"class_weight": "balanced_subsample"},
        "class_weight",
        "not_a_choice",
    ),
    (
        "sklearn.neural_network.MLPClassifier",
        {"hidden_layer_sizes": [7]},
        "hidden_layer_sizes",
        "not_a_choice",
    ),
    (
        "sklearn.neural_network.MLPClassifier",
        {"hidden_layer_sizes": [True]},
        "hidden_layer_sizes",
        "not_a_choice",
    ),
    (
        "sklearn.neural_network.MLPClassifier",
        {"hidden_layer_sizes": 100},
        "hidden_layer_sizes",
        "not_a_choice",
    ),
    (
        "sklearn.neural_network.MLPClassifier",
        {"hidden_layer_sizes": [[100]]},
        "hidden_layer_sizes",
        "too_deep",
    ),
    (
        "sklearn.neural_network.MLPClassifier",
        {"hidden_layer_sizes": [{"n": 1}]},
        "hidden_layer_sizes",
        "too_deep",
    ),
    (RFC, {"class_weight": {"a": 1}}, "class_weight", "too_deep"),
    (RFC, {"max_depth": [3]}, "max_depth", "too_deep"),
    (SVC, {"kernel": {"__class__": "os.system"}}, "kernel", "too_deep"),
    (SVC, {"C": (1.0,)}, "C", "too_deep"),
    (SVC, {"kernel": "linear", "gamma": 0.1}, "gamma", "not_applicable"),
    (SVC, {"kernel": "linear", "gamma": "scale"}, "gamma", "not_applicable"),
    (LOGREG, {"l1_ratio": 0.5}, "l1_ratio", "not_applicable"),
    (RFC, {"bootstrap": False, "max_samples": 0.5}, "max_samples", "not_applicable"),
    ("sklearn.svm.LinearSVC", {"penalty": "l1", "loss": "hinge"}, "loss", "incompatible"),
    ("sklearn.linear_model.Ridge", {"positive": True, "solver": "svd"}, "solver", "incompatible"),
    (
        "sklearn.linear_model.SGDClassifier",
        {"learning_rate": "pa1", "loss": "log_loss"},
        "learning_rate",
        "incompatible",
    ),
]


@pytest.mark.parametrize(("name", "params", "field", "code"), BAD_VALUES, ids=repr)
def test_a_bad_value_is_one_problem_naming_its_field(
    name: str, params: dict[str, Any], field: str, code: str
) -> None:
    """S4: the problem names the field; no exception other than ParameterError escapes."""
    problems = problems_of(name, params)
    assert [(p["field"], p["code"]) for p in problems] == [(f"parameters.{field}", code)]
    assert problems[0]["message"]


FORBIDDEN = ["n_jobs", "memory", "random_state", "verbose", "warm_start", "pre_dispatch", "cv"]


@pytest.mark.parametrize("name", NAMES)
def test_code_io_parallelism_and_seeds_are_never_settable(name: str) -> None:
    """S5: the global names, and each estimator's fixed and excluded parameters, are refused
    with `forbidden_parameter`, whatever their value."""
    estimator = ESTIMATORS[name]
    names = [*FORBIDDEN, *FORBIDDEN_PARAMETERS, *estimator.fixed, *estimator.excluded]
    for key in dict.fromkeys(names):
        for value in (1, None, "x"):
            problems = problems_of(name, {key: value})
            assert [(p["field"], p["code"]) for p in problems] == [
                (f"parameters.{key}", "forbidden_parameter")
            ]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("sklearn.svm.SVC", {"cache_size": 10**6}),
        ("sklearn.svm.SVC", {"probability": True}),
        ("sklearn.neighbors.KNeighborsClassifier", {"metric_params": {"p": 3}}),
        ("sklearn.ensemble.HistGradientBoostingClassifier", {"scoring": "accuracy"}),
        ("sklearn.ensemble.HistGradientBoostingClassifier", {"monotonic_cst": [1, -1]}),
        ("sklearn.ensemble.HistGradientBoostingRegressor", {"interaction_cst": "pairwise"}),
        ("sklearn.ensemble.HistGradientBoostingRegressor", {"categorical_features": "from_dtype"}),
        ("sklearn.linear_model.LogisticRegression", {"penalty": "l1"}),
        ("sklearn.linear_model.LinearRegression", {"copy_X": False}),
        ("sklearn.naive_bayes.GaussianNB", {"priors": [0.5, 0.5]}),
    ],
)
def test_objects_arrays_and_resources_are_forbidden(name: str, params: dict[str, Any]) -> None:
    (problem,) = problems_of(name, params)
    assert problem["code"] == "forbidden_parameter"
    assert problem["message"].startswith("not settable: ")


def test_a_key_that_is_not_text_is_unknown() -> None:
    problems = problems_of(RFC, {1: 2})
    assert [(p["field"], p["code"]) for p in problems] == [("parameters", "unknown_parameter")]


def test_a_near_miss_gets_a_suggestion() -> None:
    (problem,) = problems_of(RFC, {"n_estimator": 10})
    assert "'n_estimators'" in problem["message"]


@pytest.mark.parametrize("params", [None, [("max_depth", 3)], "max_depth=3", 3])
def test_parameters_must_be_an_object(params: Any) -> None:
    problems = problems_of(RFC, params)
    assert [(p["field"], p["code"]) for p in problems] == [("parameters", "bad_type")]


def test_every_problem_is_reported_at_once_in_field_order() -> None:
    """One ParameterError lists them all (one 400), sorted by parameter name."""
    problems = problems_of(
        RFC,
        {"n_jobs": 4, "n_estimators": -1, "max_dept": 3, "criterion": "best", "bootstrap": None},
    )
    assert [(p["field"], p["code"]) for p in problems] == [
        ("parameters.bootstrap", "bad_type"),
        ("parameters.criterion", "not_a_choice"),
        ("parameters.max_dept", "unknown_parameter"),
        ("parameters.n_estimators", "out_of_range"),
        ("parameters.n_jobs", "forbidden_parameter"),
    ]
    assert {p["code"] for p in problems} <= PARAMETER_CODES


def test_a_flood_of_keys_is_capped() -> None:
    """Thousands of unknown keys give MAX_PROBLEMS problems and the true total, with long
    keys clipped in the field."""
    params = {f"k{i:05d}" + "x" * 500: i for i in range(3000)}
    with pytest.raises(ParameterError) as caught:
        validate_parameters(RFC, params)
    error = caught.value
    assert error.total == 3000
    assert len(error.problems) == registry.MAX_PROBLEMS
    assert all(len(p["field"]) <= len("parameters.") + 100 for p in error.problems)
    assert "(and 2999 more)" in str(error)


def test_a_clash_is_reported_with_the_other_problems() -> None:
    problems = problems_of(
        "sklearn.svm.LinearSVC", {"penalty": "l1", "loss": "hinge", "C": -1, "dual": "x"}
    )
    assert [(p["field"], p["code"]) for p in problems] == [
        ("parameters.C", "out_of_range"),
        ("parameters.dual", "not_a_choice"),
        ("parameters.loss", "incompatible"),
    ]


def test_an_invalid_parent_does_not_cascade() -> None:
    """With kernel invalid, nothing is said about gamma: one problem, the kernel's."""
    problems = problems_of(SVC, {"kernel": "linaer", "gamma": 0.1})
    assert [(p["field"], p["code"]) for p in problems] == [("parameters.kernel", "not_a_choice")]


# --- canonical form -------------------------------------------------------------------------


def test_conditions_fill_defaults_only_where_they_apply() -> None:
    linear = validate_parameters(SVC, {"kernel": "linear"})
    assert not {"gamma", "degree", "coef0"} & set(linear)
    poly = validate_parameters(SVC, {"kernel": "poly"})
    assert (poly["degree"], poly["gamma"], poly["coef0"]) == (3, "scale", 0.0)
    saga = validate_parameters(LOGREG, {"solver": "saga", "l1_ratio": 1})
    assert saga["l1_ratio"] == 1.0
    assert isinstance(saga["l1_ratio"], float)
    assert "dual" not in saga


def test_the_canonical_form_is_stable() -> None:
    """S7: key order, 1 vs 1.0, -0.0 vs 0.0 and numpy scalars give the same dict (and JSON),
    and validating the result again changes nothing."""
    a = validate_parameters(SVC, {"C": 2, "kernel": "poly", "coef0": -0.0, "degree": 2})
    b = validate_parameters(
        SVC, {"degree": np.int64(2), "coef0": 0.0, "kernel": "poly", "C": np.float64(2.0)}
    )
    assert json.dumps(a) == json.dumps(b)
    assert list(a) == sorted(a)
    assert type(a["C"]) is float
    assert type(b["degree"]) is int
    assert json.dumps(a["coef0"]) == "0.0"
    assert validate_parameters(SVC, a) == a
    mlp = validate_parameters(
        "sklearn.neural_network.MLPRegressor", {"hidden_layer_sizes": (50, 50)}
    )
    assert mlp["hidden_layer_sizes"] == [50, 50]
    assert validate_parameters("sklearn.neural_network.MLPRegressor", mlp) == mlp


def test_build_pipeline_sets_exactly_the_validated_values() -> None:
    """S5: the built estimator's params are the validated dict, the fixed ones and the seed."""
    params = {"n_estimators": 40, "max_depth": 6, "class_weight": "balanced_subsample"}
    pipeline = build_pipeline(RFC, params, seed=11, nominal_columns=[], numeric_columns=["x1"])
    held = pipeline.named_steps["estimator"].get_params(deep=False)
    expected = {**validate_parameters(RFC, params), "n_jobs": 1, "verbose": 0}
    assert {key: held[key] for key in expected} == expected
    assert (held["random_state"], held["warm_start"]) == (11, False)
    mlp = build_pipeline(
        "sklearn.neural_network.MLPClassifier",
        {"hidden_layer_sizes": [100, 50]},
        seed=0,
        nominal_columns=["colour"],
        numeric_columns=[],
    )
    assert mlp.named_steps["estimator"].hidden_layer_sizes == (100, 50)


@pytest.mark.parametrize(
    ("seed", "code"),
    [
        (-1, "out_of_range"),
        (2**32, "out_of_range"),
        (True, "bad_type"),
        (1.0, "bad_type"),
        ("0", "bad_type"),
    ],
)
def test_build_pipeline_refuses_a_bad_seed(seed: Any, code: str) -> None:
    with pytest.raises(ParameterError) as caught:
        build_pipeline(RFC, {}, seed=seed, nominal_columns=[], numeric_columns=["x1"])
    assert [(p["field"], p["code"]) for p in caught.value.problems] == [("seed", code)]


def test_build_pipeline_validates_and_needs_columns() -> None:
    with pytest.raises(ParameterError) as caught:
        build_pipeline(RFC, {"n_jobs": -1}, seed=0, nominal_columns=[], numeric_columns=["x1"])
    assert caught.value.code == "forbidden_parameter"
    with pytest.raises(ValueError, match="at least one feature column"):
        build_pipeline(RFC, {}, seed=0, nominal_columns=[], numeric_columns=[])
    with pytest.raises(ValueError, match="both nominal and numeric"):
        build_pipeline(RFC, {}, seed=0, nominal_columns=["x1"], numeric_columns=["x1"])


# --- the published description --------------------------------------------------------------


def test_list_estimators_is_strict_json_and_filters_by_task_type() -> None:
    described = list_estimators()
    text = json.dumps(described, allow_nan=False)
    assert json.loads(text) == described
    assert [e["name"] for e in described] == NAMES
    classifiers = list_estimators(CLASSIFICATION)
    regressors = list_estimators(REGRESSION)
    assert len(classifiers) + len(regressors) == len(described)
    assert all(CLASSIFICATION in e["task_types"] for e in classifiers)
    svc = next(e for e in classifiers if e["name"] == SVC)
    degree = next(hp for hp in svc["hyperparameters"] if hp["name"] == "degree")
    assert degree == {
        "name": "degree",
        "kind": "int",
        "default": 3,
        "low": 0,
        "high": 10,
        "log": False,
        "choices": [],
        "nullable": False,
        "condition": {"kernel": ["poly"]},
    }
    assert svc["fixed"] == {"verbose": 0, "cache_size": 200}
    assert svc["seeded"] is True
    with pytest.raises(ValueError, match="task_type"):
        list_estimators(3)


def test_get_estimator_and_the_mapping() -> None:
    assert get_estimator(RFC) is ESTIMATORS[RFC]
    assert len(ESTIMATORS) == 27
    assert RFC in ESTIMATORS
    assert "os.system" not in ESTIMATORS
    with pytest.raises(ParameterError) as caught:
        get_estimator("os.system")
    assert caught.value.code == "estimator_not_allowed"
