"""Tasks: the list with its filters, a task's page, and defining a task on a dataset.

A task is visible exactly when its dataset is (the selectors' business): one the viewer
may not see is reported as not existing (404), here as in the API. Whether a task can be
defined on a dataset is the service's business; the page shows its error on the form.
A task's page also shows its leaderboards (best run per person and per team, in the
measure's own direction) and every score over time, from the runs selectors: runs the
viewer may not see are in neither.
"""

from __future__ import annotations

import numpy as np
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from config.errors import DomainError
from datasets.models import Dataset, Feature
from datasets.selectors import features_of
from frontend.forms import TaskCreateForm, TaskFilterForm, is_id, show_error
from frontend.rendering import describe_plot, describe_scores_plot, plot_spec, scores_plot_spec
from frontend.throttling import throttle_posts
from frontend.views.datasets import DOWNLOADS, _get_dataset_or_404
from frontend.views.runs import measure_info
from runs.models import Run
from runs.selectors import leaderboard, run_counts_by_status, scores_over_time
from tasks import services
from tasks.exceptions import TaskNotFound
from tasks.models import Task, TaskType
from tasks.selectors import get_task, list_estimation_procedures, list_tasks

PER_PAGE = 50
# Entries shown on each of the task page's leaderboards (the API pages through them all).
LEADERBOARD_ENTRIES = 50
# Per-fold test counts are tabulated up to this many folds (leave-one-out has one a row).
MAX_FOLD_COLUMNS = 20


def _get_task_or_404(request: HttpRequest, task_id: int) -> Task:
    try:
        return get_task(viewer=request.user, task_id=task_id)
    except TaskNotFound:
        raise Http404("No such task.") from None


# --- The list ---------------------------------------------------------------------------


@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    form = TaskFilterForm(request.GET, procedures=list_estimation_procedures())
    page = None
    if form.is_valid():
        queryset = list_tasks(viewer=request.user, **form.selector_filters())
        page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "frontend/tasks.html", {"form": form, "page": page})


# --- A task's page ----------------------------------------------------------------------


def split_summary(task: Task) -> dict | None:
    """Repeats, folds and test rows per fold, read from the stored splits Parquet."""
    from tunebench import engine

    path = services.splits_path(task.pk, "parquet")
    if task.status != Task.Status.ACTIVE or not path.exists():
        return None
    splits = engine.read_splits_parquet(path)
    assignment = splits.assignment
    # counts[r, f]: the rows tested in fold f of repeat r (-1, a holdout's train rows, is
    # shifted to column 0 and dropped).
    counts = np.stack([np.bincount(row + 1, minlength=splits.folds + 1)[1:] for row in assignment])
    return {
        "repeats": splits.repeats,
        "folds": splits.folds,
        "rows": splits.n_rows,
        "splits": splits.repeats * splits.folds,
        "test_min": int(counts.min()),
        "test_max": int(counts.max()),
        "table": [
            {"repeat": r + 1, "counts": [int(c) for c in row]} for r, row in enumerate(counts)
        ]
        if splits.folds <= MAX_FOLD_COLUMNS
        else None,
    }


def _class_balance(task: Task) -> tuple[dict | None, str | None]:
    """The plot spec of the target's class counts, and its text alternative."""
    if task.task_type != TaskType.CLASSIFICATION:
        return None, None
    feature = features_of(dataset=task.dataset).filter(name=task.target_name).first()
    if feature is None or feature.data_type == Feature.DataType.NUMERIC:
        return None, None
    spec = plot_spec(feature)
    return (spec, describe_plot(spec)) if spec else (None, None)


def _runs_context(request: HttpRequest, task: Task) -> dict:
    """The task's leaderboards, its scores over time and its runs by status."""
    measure = measure_info(task.evaluation_measure)
    boards = {
        by: leaderboard(viewer=request.user, task=task, by=by)[: LEADERBOARD_ENTRIES + 1]
        for by in ("person", "team")
    }
    points = scores_over_time(viewer=request.user, task=task)
    scores = None
    if points:
        scores = scores_plot_spec(
            points, measure=measure["name"], higher_is_better=measure["higher_is_better"]
        )
        # A click on a point opens its run.
        scores["links"] = [reverse("run_detail", args=[run_id]) for run_id in scores["runs"]]
    counts = run_counts_by_status(viewer=request.user, task=task)
    return {
        "measure": measure,
        "people_board": boards["person"],
        "team_board": boards["team"],
        "board_size": LEADERBOARD_ENTRIES,
        "scores": scores,
        "scores_text": describe_scores_plot(scores) if scores else None,
        "run_counts": [
            (status, label, counts[status])
            for status, label in Run.Status.choices
            if status in counts
        ],
        "run_total": sum(counts.values()),
    }


def _render_task(request: HttpRequest, task: Task) -> HttpResponse:
    files = {f.kind: f for f in task.split_files.all()}
    balance, balance_text = _class_balance(task)
    runs = _runs_context(request, task)
    plots = {"balance": balance} if balance else {}
    if runs["scores"]:
        plots["scores"] = runs["scores"]
    context = {
        "task": task,
        "dataset": task.dataset,
        "procedure": task.estimation_procedure,
        "summary": split_summary(task),
        "downloads": [
            {"kind": kind, "label": label, "file": files[kind]}
            for kind, label in DOWNLOADS
            if task.status == Task.Status.ACTIVE and kind in files
        ],
        "plots": plots,
        "balance": balance,
        "balance_text": balance_text,
        **runs,
    }
    return render(request, "frontend/task_detail.html", context)


@require_GET
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    return _render_task(request, _get_task_or_404(request, task_id))


@require_GET
def task_status(request: HttpRequest, task_id: int) -> HttpResponse:
    """Polled by the page of a task whose splits are being generated (see dataset_status)."""
    task = _get_task_or_404(request, task_id)
    if not request.htmx:
        return redirect("task_detail", task_id=task.pk)
    if task.status == Task.Status.PROCESSING:
        return render(request, "frontend/partials/task_processing.html", {"task": task})
    return HttpResponseClientRefresh()


# --- Defining a task --------------------------------------------------------------------


def task_form(dataset: Dataset, data=None, *, features=None) -> TaskCreateForm:
    """The form defining a task on ``dataset`` (its columns as the target's choices)."""
    return TaskCreateForm(
        data,
        dataset=dataset,
        features=features_of(dataset=dataset) if features is None else features,
        procedures=list_estimation_procedures(),
    )


def _dataset_of_form(request: HttpRequest) -> Dataset:
    source = request.POST if request.method == "POST" else request.GET
    raw = source.get("dataset_id") or source.get("dataset") or ""
    if not is_id(raw):
        raise Http404("No such dataset.")
    return _get_dataset_or_404(request, int(raw))


@login_required
@require_http_methods(["GET", "POST"])
@throttle_posts("tasks")
def task_create(request: HttpRequest) -> HttpResponse:
    """GET ``?dataset=<id>``: the form alone; POST: define the task and show it."""
    dataset = _dataset_of_form(request)
    form = task_form(dataset, request.POST if request.method == "POST" else None)
    if request.method == "GET":
        return render(request, "frontend/task_create.html", {"dataset": dataset, "form": form})
    if form.is_valid():
        data = form.cleaned_data
        try:
            task, created = services.create_task(
                creator=request.user,
                dataset_id=dataset.pk,
                task_type=data["task_type"],
                target=data["target"],
                estimation_procedure_id=data["estimation_procedure"],
                seed=data["seed"],
            )
        except DomainError as exc:
            # The dataset is a hidden field: its problems are the form's, not a field's.
            if exc.field == "dataset_id" or not show_error(form, exc):
                form.add_error(None, exc.detail)
        else:
            if created:
                messages.success(request, "Task created; its splits are being generated.")
            else:
                messages.info(request, "This task already exists: here it is.")
            return redirect("task_detail", task_id=task.pk)
    return render(request, "frontend/task_create.html", {"dataset": dataset, "form": form})
