"""Qualities: OpenML's names and definitions, checked on iris and on small hand-made tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy import stats
from sklearn.datasets import load_diabetes, load_iris

from tunebench.engine import QUALITY_NAMES, RawTable, describe_dataframe, describe_table


def _iris() -> pd.DataFrame:
    frame = load_iris(as_frame=True).frame
    names = load_iris().target_names
    frame["class"] = pd.Categorical.from_codes(frame.pop("target"), categories=list(names))
    return frame


def test_iris_matches_openml():
    q = describe_dataframe(_iris(), target="class").qualities
    assert set(q) == set(QUALITY_NAMES)
    expected = {
        "NumberOfInstances": 150,
        "NumberOfFeatures": 5,
        "NumberOfClasses": 3,
        "NumberOfMissingValues": 0,
        "NumberOfInstancesWithMissingValues": 0,
        "NumberOfNumericFeatures": 4,
        "NumberOfSymbolicFeatures": 1,
        "NumberOfBinaryFeatures": 0,
        "MajorityClassSize": 50,
        "MinorityClassSize": 50,
        "MaxNominalAttDistinctValues": 3,
        "PercentageOfNumericFeatures": 80,
        "PercentageOfSymbolicFeatures": 20,
        "MajorityClassPercentage": 100 / 3,
        "Dimensionality": 5 / 150,
        # the rows are sorted by class: two changes in 149 transitions
        "AutoCorrelation": 147 / 149,
    }
    for name, value in expected.items():
        assert q[name] == pytest.approx(value), name
    assert q["ClassEntropy"] == pytest.approx(math.log2(3))


def test_numeric_moments_are_bias_corrected_sample_statistics():
    frame = _iris()
    q = describe_dataframe(frame, target="class").qualities
    numeric = frame.drop(columns="class")
    skews = [stats.skew(numeric[c], bias=False) for c in numeric]
    kurts = [stats.kurtosis(numeric[c], fisher=True, bias=False) for c in numeric]
    assert q["MeanSkewnessOfNumericAtts"] == pytest.approx(np.mean(skews))
    assert q["MinSkewnessOfNumericAtts"] == pytest.approx(min(skews))
    assert q["MaxKurtosisOfNumericAtts"] == pytest.approx(max(kurts))
    assert q["MeanKurtosisOfNumericAtts"] == pytest.approx(np.mean(kurts))
    assert q["MeanMeansOfNumericAtts"] == pytest.approx(numeric.mean().mean())
    assert q["MaxStdDevOfNumericAtts"] == pytest.approx(numeric.std(ddof=1).max())


def test_numeric_target_has_no_classes():
    frame = load_diabetes(as_frame=True).frame
    q = describe_dataframe(frame, target="target").qualities
    assert q["NumberOfClasses"] == 0
    for name in (
        "MajorityClassSize",
        "MinorityClassSize",
        "ClassEntropy",
        "MajorityClassPercentage",
    ):
        assert q[name] is None
    y = frame["target"].to_numpy()
    n = len(y)
    assert q["AutoCorrelation"] == pytest.approx(
        (n - 1 - (y[0] - y[-1])) / (n - 1)
    )  # OpenML's Java


def test_no_target_means_no_class_qualities():
    q = describe_table(pa.table({"x": [1, 2, 3]})).qualities
    for name in ("NumberOfClasses", "ClassEntropy", "AutoCorrelation", "MajorityClassSize"):
        assert q[name] is None
    assert q["MaxNominalAttDistinctValues"] is None  # no nominal attribute
    assert q["MeanMeansOfNumericAtts"] == 2.0


def test_missing_binary_and_autocorrelation_counts():
    table = pa.table(
        {
            "x": [1.0, None, 3.0, None],
            "y": ["a", "a", None, "b"],
            "flag": [True, False, True, True],
            "c": ["p", "q", "r", "p"],
        }
    )
    raw = RawTable(
        table=table, format="arff", nominal_values={"y": ["a", "b"], "c": ["p", "q", "r"]}
    )
    q = describe_table(raw, target="y").qualities
    assert q["NumberOfMissingValues"] == 3
    assert q["NumberOfInstancesWithMissingValues"] == 3
    assert q["PercentageOfMissingValues"] == pytest.approx(3 / 16 * 100)
    assert q["NumberOfSymbolicFeatures"] == 3  # y, flag (boolean), c
    assert q["NumberOfBinaryFeatures"] == 2  # y (two declared values) and the boolean
    assert (q["NumberOfClasses"], q["MajorityClassSize"], q["MinorityClassSize"]) == (2, 2, 1)
    assert q["MajorityClassPercentage"] == 50.0
    # labels a, a, missing, b: changes between rows 2-3 and 3-4
    assert q["AutoCorrelation"] == pytest.approx((4 - 1 - 2) / 3)
    assert q["ClassEntropy"] == pytest.approx(
        -(2 / 3) * math.log2(2 / 3) - (1 / 3) * math.log2(1 / 3)
    )
    assert q["MaxNominalAttDistinctValues"] == 3
    assert q["MinNominalAttDistinctValues"] == 2


def test_short_columns_skip_undefined_moments():
    q = describe_table(pa.table({"a": [1.0, 2.0], "b": [5.0, 5.0]})).qualities
    assert q["MeanSkewnessOfNumericAtts"] is None  # needs three values
    assert q["MinStdDevOfNumericAtts"] == 0.0
    q = describe_table(pa.table({"a": [5.0, 5.0, 5.0, 5.0]})).qualities
    assert (q["MeanSkewnessOfNumericAtts"], q["MeanKurtosisOfNumericAtts"]) == (0.0, 0.0)
