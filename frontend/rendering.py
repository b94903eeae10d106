"""How facts are shown: numbers, Markdown descriptions, feature summaries and plots.

Presentation only: the values come from the selectors as ingestion and scoring stored
them, and nothing here queries the database. Descriptions are written by uploaders, so their
Markdown is rendered and then sanitised with an allowlist (nh3) before it reaches a page.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable
from typing import Any

import markdown
import nh3

from datasets.models import Feature

# --- Numbers ----------------------------------------------------------------------------


def format_number(value: Any) -> str:
    """A quality or statistic for people: counts with separators, ratios to 4 digits."""
    if value is None or isinstance(value, bool):
        return "—" if value is None else str(value).lower()
    if not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "—" if math.isnan(value) else ("∞" if value > 0 else "-∞")
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.1f}"
    return f"{value:.4g}"


# --- Markdown ---------------------------------------------------------------------------

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# The page's own headings are h1 and h2: a description's "# Title" becomes an h3.
_HEADING = re.compile(r"<(/?)h([1-6])\b")


def _shift_heading(match: re.Match) -> str:
    return f"<{match.group(1)}h{min(int(match.group(2)) + 2, 6)}"


def render_markdown(text: str) -> str:
    """Markdown to HTML that is safe to insert into a page.

    Raw HTML in the source is allowed through Markdown and then cleaned: unknown tags are
    dropped (``<script>`` and ``<style>`` with their content), every attribute outside the
    allowlist goes, links keep only http(s) and mailto targets (no ``javascript:``) and get
    ``rel="nofollow noopener"``, so an uploader cannot script the page or borrow its rank.
    """
    if not text:
        return ""
    html = markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists"])
    html = _HEADING.sub(_shift_heading, html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
    )


# --- Features ---------------------------------------------------------------------------

TOP_VALUES_IN_SUMMARY = 3
MAX_BARS = 30


def _value_counts(stats: dict) -> list[tuple[str, int]]:
    pairs = []
    for item in stats.get("value_counts") or []:
        if isinstance(item, list | tuple) and len(item) == 2:
            value, count = item
            if isinstance(value, bool):
                value = "true" if value else "false"
            pairs.append(("(missing)" if value is None else str(value), count))
    return pairs


def feature_summary(feature: Feature) -> str:
    """One line of what a column holds: its range for numbers, its commonest values else."""
    stats = feature.stats or {}
    if feature.data_type == Feature.DataType.NUMERIC:
        parts = [
            f"{label} {format_number(stats[key])}"
            for key, label in (("min", "min"), ("max", "max"), ("mean", "mean"))
            if stats.get(key) is not None
        ]
        return " · ".join(parts)
    if feature.data_type == Feature.DataType.DATETIME:
        if stats.get("min") and stats.get("max"):
            return f"{stats['min']} to {stats['max']}"
        return ""
    top = _value_counts(stats)[:TOP_VALUES_IN_SUMMARY]
    shown = ", ".join(f"{value} ({format_number(count)})" for value, count in top)
    more = feature.distinct_count - len(top)
    if top and more > 0:
        shown += f", … {format_number(more)} more"
    return shown


def plot_spec(feature: Feature) -> dict | None:
    """What plots.js needs to draw a column's distribution, or None when there is nothing.

    Numbers: the histogram ingestion computed (bars at the bin centres, as wide as the
    bins). Categories, booleans and strings: the commonest values, at most MAX_BARS.
    """
    stats = feature.stats or {}
    histogram = stats.get("histogram") or {}
    edges, counts = histogram.get("edges") or [], histogram.get("counts") or []
    if feature.data_type == Feature.DataType.NUMERIC and len(edges) == len(counts) + 1 and counts:
        bins = list(itertools.pairwise(edges))
        if len(bins) == 1 and bins[0][0] == bins[0][1]:  # one value throughout: one bar
            label = format_number(edges[0])
            return {
                "kind": "bars",
                "title": feature.name,
                "x": [label],
                "y": counts,
                "labels": [label],
            }
        return {
            "kind": "histogram",
            "title": feature.name,
            "x": [(a + b) / 2 for a, b in bins],
            "width": [b - a for a, b in bins],
            "y": counts,
            "labels": [f"{format_number(a)} to {format_number(b)}" for a, b in bins],
        }
    pairs = _value_counts(stats)[:MAX_BARS]
    if pairs:
        return {
            "kind": "bars",
            "title": feature.name,
            "x": [value for value, _ in pairs],
            "y": [count for _, count in pairs],
            "labels": [value for value, _ in pairs],
        }
    return None


def describe_plot(spec: dict) -> str:
    """The text alternative of a plot (the feature table holds the numbers themselves)."""
    if spec["kind"] == "histogram":
        return f"Histogram of {spec['title']} in {len(spec['y'])} bins"
    return f"Counts of the {len(spec['y'])} commonest values of {spec['title']}"


def feature_rows(features: Iterable[Feature]) -> tuple[list[dict], dict[str, dict]]:
    """Rows for the feature table, and the plot specs keyed by feature index."""
    rows, plots = [], {}
    for feature in features:
        spec = plot_spec(feature)
        if spec is not None:
            plots[str(feature.index)] = spec
        rows.append(
            {
                "feature": feature,
                "summary": feature_summary(feature),
                "plot": describe_plot(spec) if spec else None,
            }
        )
    return rows, plots


# --- Run scores -------------------------------------------------------------------------


def scores_plot_spec(
    points: Iterable[tuple[Any, float, int, str]], *, measure: str, higher_is_better: bool
) -> dict:
    """What plots.js needs to draw every run's score over time with the best so far.

    ``points`` are ``(created_at, value, run_id, username)``, oldest first (the selector's
    order). The best-so-far line follows the measure's direction: the running maximum of
    an accuracy, the running minimum of an error.
    """
    pick = max if higher_is_better else min
    x, y, runs, who, best = [], [], [], [], []
    for created_at, value, run_id, username in points:
        x.append(created_at.isoformat())
        y.append(value)
        runs.append(run_id)
        who.append(username)
        best.append(value if not best else pick(best[-1], value))
    return {
        "kind": "scores",
        "title": measure,
        "x": x,
        "y": y,
        "runs": runs,
        "who": who,
        "best": best,
        "higher_is_better": higher_is_better,
    }


def describe_scores_plot(spec: dict) -> str:
    """The text alternative of a scores plot (the leaderboard holds the best entries)."""
    count = len(spec["y"])
    runs = "run" if count == 1 else "runs"
    return (
        f"{spec['title']} of {count} scored {runs} over time; the best so far is "
        f"{format_number(spec['best'][-1])}"
    )
