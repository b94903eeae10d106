"""Golden values for scikit-learn's bundled datasets, and the DataFrame ↔ Parquet promise."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine

from tunebench.engine import describe_dataframe, describe_table, read_table

LOADERS = {
    "iris": (load_iris, True),
    "wine": (load_wine, True),
    "breast_cancer": (load_breast_cancer, True),
    "diabetes": (load_diabetes, False),
}
GOLDEN = {
    "iris": {"NumberOfInstances": 150, "NumberOfFeatures": 5, "NumberOfClasses": 3,
             "MajorityClassSize": 50, "MinorityClassSize": 50, "NumberOfNumericFeatures": 4},
    "wine": {"NumberOfInstances": 178, "NumberOfFeatures": 14, "NumberOfClasses": 3,
             "MajorityClassSize": 71, "MinorityClassSize": 48, "NumberOfNumericFeatures": 13},
    "breast_cancer": {"NumberOfInstances": 569, "NumberOfFeatures": 31, "NumberOfClasses": 2,
                      "MajorityClassSize": 357, "MinorityClassSize": 212,
                      "NumberOfNumericFeatures": 30, "NumberOfBinaryFeatures": 1},
    "diabetes": {"NumberOfInstances": 442, "NumberOfFeatures": 11, "NumberOfClasses": 0,
                 "MajorityClassSize": None, "NumberOfNumericFeatures": 11,
                 "NumberOfSymbolicFeatures": 0},
}  # fmt: skip


def _frame(name: str) -> pd.DataFrame:
    loader, classification = LOADERS[name]
    bunch = loader(as_frame=True)
    frame = bunch.frame.copy()
    if classification:
        frame["target"] = pd.Categorical.from_codes(
            frame["target"], categories=[str(n) for n in bunch.target_names]
        )
    return frame


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_qualities(name):
    qualities = describe_dataframe(_frame(name), target="target").qualities
    for quality, value in GOLDEN[name].items():
        assert qualities[quality] == value, quality
    assert qualities["NumberOfMissingValues"] == 0


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_dataframe_and_its_parquet_file_describe_identically(tmp_path, name):
    frame = _frame(name)
    path = tmp_path / f"{name}.parquet"
    frame.to_parquet(path)
    local = describe_dataframe(frame, target="target")
    served = describe_table(read_table(path), target="target")
    assert served.features == local.features
    assert served.qualities == local.qualities
