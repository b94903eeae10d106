"""Read queries for runs, evaluations and leaderboards, written once for API and pages.

A run is visible exactly when its task is (so, when the task's dataset is): a run on a
private dataset never shows up in a list, a count, an evaluation or a leaderboard of
someone who cannot see that dataset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from accounts.models import User
from runs.exceptions import RunNotFound
from runs.models import Evaluation, Run, RunFile
from tasks.models import Task
from tasks.selectors import visible_tasks

_NOT_FOUND = (ValueError, TypeError, OverflowError)


def visible_runs(*, viewer: User) -> QuerySet[Run]:
    return Run.objects.filter(task__in=visible_tasks(viewer=viewer).values("pk"))


def list_runs(
    *,
    viewer: User,
    task_id: int | None = None,
    flow_id: int | None = None,
    configuration_id: int | None = None,
    uploader: str | None = None,
    team_id: int | None = None,
    status: str | None = None,
    tag: str | None = None,
    origin: str | None = None,
) -> QuerySet[Run]:
    """Visible runs, newest first."""
    runs = visible_runs(viewer=viewer)
    if task_id is not None:
        runs = runs.filter(task_id=task_id)
    if flow_id is not None:
        runs = runs.filter(flow_id=flow_id)
    if configuration_id is not None:
        runs = runs.filter(configuration_id=configuration_id)
    if uploader:
        runs = runs.filter(uploader__username__iexact=uploader)
    if team_id is not None:
        runs = runs.filter(team_id=team_id)
    if status:
        runs = runs.filter(status=status)
    if tag:
        runs = runs.filter(tags__tag=tag)
    if origin:
        runs = runs.filter(origin=origin)
    return (
        runs.select_related("task__dataset", "flow", "uploader", "team")
        .prefetch_related("tags")
        .order_by("-id")
    )


def get_run(*, viewer: User, run_id: int) -> Run:
    try:
        return (
            visible_runs(viewer=viewer)
            .select_related(
                "task__dataset",
                "task__estimation_procedure",
                "flow",
                "configuration",
                "uploader",
                "team",
            )
            .prefetch_related("tags", "files", "evaluations")
            .get(pk=run_id)
        )
    except (Run.DoesNotExist, *_NOT_FOUND):
        raise RunNotFound() from None


def predictions_file_of(*, run: Run) -> RunFile | None:
    return RunFile.objects.filter(run=run, kind="predictions").first()


def list_evaluations(
    *,
    viewer: User,
    task_id: int | None = None,
    measure: str | None = None,
    flow_id: int | None = None,
    configuration_id: int | None = None,
    run_id: int | None = None,
    uploader: str | None = None,
    team_id: int | None = None,
) -> QuerySet[Evaluation]:
    """Aggregated evaluations of visible, scored runs, by run then measure."""
    evaluations = Evaluation.objects.filter(
        task__in=visible_tasks(viewer=viewer).values("pk"), run__status=Run.Status.DONE
    )
    if task_id is not None:
        evaluations = evaluations.filter(task_id=task_id)
    if measure:
        evaluations = evaluations.filter(measure=measure)
    if flow_id is not None:
        evaluations = evaluations.filter(run__flow_id=flow_id)
    if configuration_id is not None:
        evaluations = evaluations.filter(run__configuration_id=configuration_id)
    if run_id is not None:
        evaluations = evaluations.filter(run_id=run_id)
    if uploader:
        evaluations = evaluations.filter(run__uploader__username__iexact=uploader)
    if team_id is not None:
        evaluations = evaluations.filter(run__team_id=team_id)
    return evaluations.select_related("run__flow", "run__uploader", "run__team").order_by(
        "run_id", "measure"
    )


# -- leaderboards ------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaderboardEntry:
    rank: int
    evaluation: Evaluation  # the entrant's best, with run, flow, uploader and team loaded
    runs: int  # how many scored runs the entrant has on the task
    # For a verified run: its configuration's interval across seeds on the task's measure.
    seeds: SeedInterval | None = None


def leaderboard(
    *, viewer: User, task: Task, measure: str | None = None, by: str = "person"
) -> list[LeaderboardEntry]:
    """The best scored run per person (or per team) on a task, best first.

    Direction comes from the measure (higher is better for accuracy, lower for errors);
    ties go to the earlier run (then the lower id), so a later copy of a score never
    overtakes the first. Runs with an undefined value are left out. Team boards rank only
    runs attributed to a team. One query with a window function over the
    (task, measure, value) index.
    """
    from tunebench import engine

    measure = measure or task.evaluation_measure
    known = engine.MEASURES.get(measure)
    higher = known.higher_is_better if known else True
    value_order = F("value").desc() if higher else F("value").asc()
    partition = "run__uploader_id" if by == "person" else "run__team_id"
    evaluations = list_evaluations(viewer=viewer, task_id=task.pk, measure=measure).filter(
        value__isnull=False
    )
    if by == "team":
        evaluations = evaluations.filter(run__team__isnull=False)
    ranked = evaluations.annotate(
        place=Window(
            RowNumber(),
            partition_by=[F(partition)],
            order_by=[value_order, F("run__created_at").asc(), F("run_id").asc()],
        ),
    )
    best = list(ranked.filter(place=1).order_by(value_order, "run__created_at", "run_id"))
    counts: dict[int, int] = {}
    for key in evaluations.values_list(partition, flat=True):
        counts[key] = counts.get(key, 0) + 1
    verified = [e.run.configuration_id for e in best if e.run.origin == Run.Origin.SERVER]
    intervals = {
        summary.configuration_id: summary.measures[0]
        for summary in seed_summaries(
            viewer=viewer, configuration_ids=verified, task_id=task.pk, measure=measure
        )
        if summary.measures
    }
    return [
        LeaderboardEntry(
            rank=index + 1,
            evaluation=evaluation,
            runs=counts.get(
                evaluation.run.uploader_id if by == "person" else evaluation.run.team_id, 0
            ),
            seeds=(
                intervals.get(evaluation.run.configuration_id)
                if evaluation.run.origin == Run.Origin.SERVER
                else None
            ),
        )
        for index, evaluation in enumerate(best)
    ]


def scores_over_time(
    *, viewer: User, task: Task, measure: str | None = None
) -> list[tuple[datetime, float, int, str]]:
    """Every scored run's value on the task, oldest first: (created_at, value, run, who)."""
    measure = measure or task.evaluation_measure
    rows = (
        list_evaluations(viewer=viewer, task_id=task.pk, measure=measure)
        .filter(value__isnull=False)
        .order_by("run__created_at", "run_id")
        .values_list("run__created_at", "value", "run_id", "run__uploader__username")
    )
    return list(rows)


def run_counts_by_status(*, viewer: User, task: Task) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in visible_runs(viewer=viewer).filter(task=task).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def runs_of_flow(*, viewer: User, flow_id: int) -> QuerySet[Run]:
    return list_runs(viewer=viewer, flow_id=flow_id)


def visible_run_count(*, viewer: User, flow_id: int | None = None) -> int:
    runs = visible_runs(viewer=viewer)
    if flow_id is not None:
        runs = runs.filter(Q(flow_id=flow_id))
    return runs.count()


# -- seeds of a configuration ------------------------------------------------------------


@dataclass(frozen=True)
class SeedInterval:
    """One measure of a configuration on a task over its verified runs, one per seed:
    mean, sample std (ddof=1) and the 95% t-interval of the mean (null below two seeds)."""

    measure: str
    n: int
    mean: float
    std: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class SeedSummary:
    task_id: int
    configuration_id: int
    seeds: list[int]
    runs: list[int]
    measures: list[SeedInterval]


def seed_interval(measure: str, values: list[float]) -> SeedInterval:
    """scipy's t-interval (``scipy.stats.t.interval``) of the mean of the values."""
    import math

    from scipy import stats

    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return SeedInterval(measure=measure, n=n, mean=mean, std=None, low=None, high=None)
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    if std == 0:
        return SeedInterval(measure=measure, n=n, mean=mean, std=0.0, low=mean, high=mean)
    low, high = stats.t.interval(0.95, n - 1, loc=mean, scale=std / math.sqrt(n))
    return SeedInterval(measure=measure, n=n, mean=mean, std=std, low=float(low), high=float(high))


def seed_summaries(
    *,
    viewer: User,
    configuration_ids: list[int],
    task_id: int | None = None,
    measure: str | None = None,
) -> list[SeedSummary]:
    """Per (task, configuration): the configuration's verified (server-executed, scored)
    runs the viewer can see, one per seed (the earliest run of each seed), and every
    measure's interval across them. Sorted by task, then configuration."""
    evaluations = list_evaluations(viewer=viewer, task_id=task_id, measure=measure).filter(
        run__configuration_id__in=configuration_ids,
        run__origin=Run.Origin.SERVER,
        value__isnull=False,
    )
    rows = evaluations.order_by("run_id").values_list(
        "task_id", "run__configuration_id", "run__seed", "run_id", "measure", "value"
    )
    groups: dict[tuple[int, int], dict] = {}
    for task, configuration, seed, run_id, name, value in rows:
        group = groups.setdefault((task, configuration), {"runs": {}, "values": {}})
        first = group["runs"].setdefault(seed, run_id)  # one run per seed: the earliest
        if first == run_id:
            group["values"].setdefault(name, []).append(value)
    return [
        SeedSummary(
            task_id=task,
            configuration_id=configuration,
            seeds=sorted(group["runs"]),
            runs=[group["runs"][seed] for seed in sorted(group["runs"])],
            measures=[
                seed_interval(name, values) for name, values in sorted(group["values"].items())
            ],
        )
        for (task, configuration), group in sorted(groups.items())
    ]
