"""Dataset qualities with OpenML's names and definitions (openml-api.md 5.5).

Definitions follow OpenML's Java evaluation engine (`SimpleMetaFeatures`, `Statistical`,
`NominalAttDistinctValues`, `AttributeEntropy`), which computes them with Weka and commons-math:

- Every column counts as a feature, the target, row id and ignored columns included ("as stored").
- Symbolic = nominal or boolean (a boolean is the nominal {false, true} in ARFF and Weka), so a
  boolean is also binary. Binary = exactly two *declared* values. Numeric = numeric only: Weka
  also counts date attributes as numeric, but means of epoch milliseconds say nothing, so
  datetime (like string) counts as neither.
- Class qualities need a nominal or boolean target: NumberOfClasses is the number of distinct
  observed non-missing labels, Majority/MinorityClassSize the largest/smallest label count,
  percentages are of all rows, ClassEntropy = -sum p log2 p over the non-missing labels. A numeric
  (or datetime) target gives NumberOfClasses 0 and None for the rest; no target gives None.
- AutoCorrelation = (n - 1 - changes) / (n - 1). For a nominal target, changes counts consecutive
  rows whose labels differ (missing is a label of its own here). For a numeric target OpenML's
  Java adds up `previous - current`, which telescopes to first - last; we reproduce that value
  so numbers match OpenML's, quirk included. None without a target or with fewer than 2 rows.
- Numeric attribute statistics use each attribute's finite non-missing values, as
  DescriptiveStatistics does: mean; standard deviation with n - 1 (0 for a single value);
  skewness n·m3 / ((n-1)(n-2)·s³) (needs n >= 3) and excess kurtosis
  (n(n+1)·m4 - 3·m2²(n-1)) / ((n-1)(n-2)(n-3)·s⁴) (needs n >= 4), both 0 when the variance is
  below 1e-19; i.e. the bias-corrected sample statistics (scipy's bias=False), not scipy's
  defaults. Mean/Min/Max{Means,StdDev,Skewness,Kurtosis}OfNumericAtts aggregate the attributes
  where the statistic is defined; None when there is none.
- {Max,Min,Mean,Stdv}NominalAttDistinctValues: distinct observed values per symbolic attribute
  (Stdv with n - 1; 0 for a single attribute); None without symbolic attributes.
- Dimensionality = NumberOfFeatures / NumberOfInstances. Percentages are in 0..100.

Every value is a float or None (never NaN or infinity), ready for JSON.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tunebench.engine.describe import ColumnSummary, Moments

QUALITY_NAMES = (
    "AutoCorrelation",
    "ClassEntropy",
    "Dimensionality",
    "MajorityClassPercentage",
    "MajorityClassSize",
    "MaxKurtosisOfNumericAtts",
    "MaxMeansOfNumericAtts",
    "MaxNominalAttDistinctValues",
    "MaxSkewnessOfNumericAtts",
    "MaxStdDevOfNumericAtts",
    "MeanKurtosisOfNumericAtts",
    "MeanMeansOfNumericAtts",
    "MeanNominalAttDistinctValues",
    "MeanSkewnessOfNumericAtts",
    "MeanStdDevOfNumericAtts",
    "MinKurtosisOfNumericAtts",
    "MinMeansOfNumericAtts",
    "MinNominalAttDistinctValues",
    "MinSkewnessOfNumericAtts",
    "MinStdDevOfNumericAtts",
    "MinorityClassPercentage",
    "MinorityClassSize",
    "NumberOfBinaryFeatures",
    "NumberOfClasses",
    "NumberOfFeatures",
    "NumberOfInstances",
    "NumberOfInstancesWithMissingValues",
    "NumberOfMissingValues",
    "NumberOfNumericFeatures",
    "NumberOfSymbolicFeatures",
    "PercentageOfBinaryFeatures",
    "PercentageOfInstancesWithMissingValues",
    "PercentageOfMissingValues",
    "PercentageOfNumericFeatures",
    "PercentageOfSymbolicFeatures",
    "StdvNominalAttDistinctValues",
)
_SMALL_VARIANCE = 10e-20  # commons-math's threshold below which skewness and kurtosis are 0


def _clean(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _percent(part: float, whole: float) -> float | None:
    return part / whole * 100 if whole > 0 else None


def compute_qualities(
    summaries: list[ColumnSummary], *, num_rows: int, target: str | None
) -> dict[str, float | None]:
    """All qualities in `QUALITY_NAMES` for the described columns."""
    features = [s.feature for s in summaries]
    q: dict[str, float | None] = dict.fromkeys(QUALITY_NAMES)
    n = float(num_rows)
    f = float(len(features))
    numeric = [s for s in summaries if s.feature.data_type == "numeric"]
    symbolic = [s for s in summaries if s.feature.data_type in ("nominal", "boolean")]
    binary = [
        s
        for s in symbolic
        if s.feature.data_type == "boolean" or len(s.feature.nominal_values or ()) == 2
    ]
    missing = float(sum(feat.missing_count for feat in features))
    q.update(
        NumberOfInstances=n,
        NumberOfFeatures=f,
        Dimensionality=f / n if n > 0 else 0.0,
        NumberOfMissingValues=missing,
        NumberOfInstancesWithMissingValues=float(_rows_with_missing(summaries, num_rows)),
        NumberOfNumericFeatures=float(len(numeric)),
        NumberOfSymbolicFeatures=float(len(symbolic)),
        NumberOfBinaryFeatures=float(len(binary)),
        PercentageOfNumericFeatures=_percent(len(numeric), f),
        PercentageOfSymbolicFeatures=_percent(len(symbolic), f),
        PercentageOfBinaryFeatures=_percent(len(binary), f),
        PercentageOfMissingValues=_percent(missing, f * n),
    )
    q["PercentageOfInstancesWithMissingValues"] = _percent(
        q["NumberOfInstancesWithMissingValues"] or 0.0, n
    )
    q.update(_numeric_aggregates([s.moments for s in numeric if s.moments is not None], numeric))
    if symbolic:
        distinct = np.array([s.feature.distinct_count for s in symbolic], dtype=np.float64)
        q["MaxNominalAttDistinctValues"] = float(distinct.max())
        q["MinNominalAttDistinctValues"] = float(distinct.min())
        q["MeanNominalAttDistinctValues"] = float(distinct.mean())
        q["StdvNominalAttDistinctValues"] = (
            float(distinct.std(ddof=1)) if len(distinct) > 1 else 0.0
        )
    if target is not None:
        q.update(_class_qualities(next(s for s in summaries if s.feature.name == target), n))
    return {name: _clean(value) for name, value in q.items()}


def _rows_with_missing(summaries: list[ColumnSummary], num_rows: int) -> int:
    with_nulls = [s.column for s in summaries if s.column.null_count]
    if not with_nulls:
        return 0
    if len(with_nulls) == 1:
        return with_nulls[0].null_count
    mask = np.zeros(num_rows, dtype=bool)
    for column in with_nulls:
        mask |= column.is_null().to_numpy()
    return int(mask.sum())


def _numeric_aggregates(moments: list[Moments], numeric: list) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    if not numeric:
        return out
    means, stds, skews, kurts = [], [], [], []
    for m in moments:
        count = m.count
        variance = m.m2 / (count - 1) if count > 1 else 0.0
        means.append(m.mean)
        stds.append(math.sqrt(variance))
        if count >= 3:
            skews.append(
                0.0
                if variance < _SMALL_VARIANCE
                else count * m.m3 / ((count - 1) * (count - 2) * math.sqrt(variance) * variance)
            )
        if count >= 4:
            kurts.append(
                0.0
                if variance < _SMALL_VARIANCE
                else (count * (count + 1) * m.m4 - 3 * m.m2 * m.m2 * (count - 1))
                / ((count - 1) * (count - 2) * (count - 3) * variance * variance)
            )
    for label, values in (
        ("Means", means),
        ("StdDev", stds),
        ("Skewness", skews),
        ("Kurtosis", kurts),
    ):
        finite = [v for v in values if math.isfinite(v)]
        name = f"{label}OfNumericAtts"
        out[f"Mean{name}"] = sum(finite) / len(finite) if finite else None
        out[f"Min{name}"] = float(min(finite)) if finite else None
        out[f"Max{name}"] = float(max(finite)) if finite else None
    return out


def _class_qualities(summary: ColumnSummary, n: float) -> dict[str, float | None]:
    kind = summary.feature.data_type
    if kind not in ("nominal", "boolean") or summary.codes is None:
        return {"NumberOfClasses": 0.0, "AutoCorrelation": _numeric_autocorrelation(summary, n)}
    codes = summary.codes
    present = codes[codes >= 0]
    counts = np.bincount(present) if len(present) else np.zeros(0, dtype=np.int64)
    counts = counts[counts > 0]
    out: dict[str, float | None] = {"NumberOfClasses": float(len(counts))}
    if len(counts):
        majority, minority = float(counts.max()), float(counts.min())
        p = counts / counts.sum()
        out.update(
            MajorityClassSize=majority,
            MinorityClassSize=minority,
            MajorityClassPercentage=_percent(majority, n),
            MinorityClassPercentage=_percent(minority, n),
            ClassEntropy=float(-(p * np.log2(p)).sum()) + 0.0,  # + 0.0 turns -0.0 into 0.0
        )
    if len(codes) > 1:
        changes = int(np.count_nonzero(codes[1:] != codes[:-1]))
        out["AutoCorrelation"] = (n - 1 - changes) / (n - 1)
    return out


def _numeric_autocorrelation(summary: ColumnSummary, n: float) -> float | None:
    column = summary.column
    if summary.feature.data_type != "numeric" or len(column) < 2:
        return None
    first, last = column[0].as_py(), column[len(column) - 1].as_py()
    if first is None or last is None:
        return None
    return (n - 1 - (float(first) - float(last))) / (n - 1)
