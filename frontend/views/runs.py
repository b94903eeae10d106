"""Runs: the list with its filters, a run's page (polled while it is scored), the upload form.

A run is visible exactly when its task is, so when the task's dataset is (the selectors'
business): one the viewer may not see is reported as not existing (404), here as in the
API. Whether an upload is accepted (the task, the flow, the parameter values, the team,
the predictions against the task's splits) is the service's business; the page shows its
error on the field it names, and the predictions' first problems with their rows.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from config.errors import DomainError
from datasets.uploads import too_large_response
from flows.models import Configuration, Flow
from flows.selectors import list_flows
from flows.services import declared_parameters
from frontend.forms import RunFilterForm, RunUploadForm, is_id, show_error
from frontend.throttling import throttle_posts
from runs import services
from runs.exceptions import InvalidPredictions, RunNotFound
from runs.execution import queue_positions_of
from runs.models import Evaluation, Run
from runs.selectors import get_run, list_evaluations, list_runs, predictions_file_of
from tasks.exceptions import TaskNotFound
from tasks.models import Task
from tasks.selectors import get_task

PER_PAGE = 50
# The per-fold table shows this many folds (leave-one-out has one a row); all of them are
# in the API's evaluations.
MAX_FOLD_ROWS = 100
# The flows offered in the upload form's list; any other is given by its id.
FLOW_CHOICES = 500


def _get_run_or_404(request: HttpRequest, run_id: int) -> Run:
    try:
        return get_run(viewer=request.user, run_id=run_id)
    except RunNotFound:
        raise Http404("No such run.") from None


def as_json(value: Any) -> str:
    """A parameter value as its JSON text: ``None`` is ``null``, a string is quoted."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def measure_info(name: str) -> dict:
    """A measure's name, direction and description, from the scoring engine."""
    from tunebench import engine

    known = engine.MEASURES.get(name)
    return {
        "name": name,
        "higher_is_better": known.higher_is_better if known else True,
        "description": known.description if known else "",
    }


def _measure_order(name: str) -> int:
    """The engine's order of measures (the commonest first), unknown ones last."""
    from tunebench import engine

    names = list(engine.MEASURES)
    return names.index(name) if name in names else len(names)


def task_scores(request: HttpRequest, runs: list[Run]) -> dict[int, Evaluation]:
    """Each scored run's evaluation on its own task's measure, by run id: one query."""
    ids = [run.pk for run in runs if run.status == Run.Status.DONE]
    if not ids:
        return {}
    wanted = {run.pk: run.task.evaluation_measure for run in runs}
    evaluations = list_evaluations(viewer=request.user).filter(run_id__in=ids)
    return {e.run_id: e for e in evaluations if wanted.get(e.run_id) == e.measure}


# --- The list ---------------------------------------------------------------------------


@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    form = RunFilterForm(request.GET)
    page, rows = None, []
    if form.is_valid():
        queryset = list_runs(viewer=request.user, **form.selector_filters())
        page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
        runs = list(page.object_list)
        scores = task_scores(request, runs)
        rows = [{"run": run, "score": scores.get(run.pk)} for run in runs]
    more_filters = ["configuration", "uploader", "team", "tag"]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "more_filters_open": any(request.GET.get(name) for name in more_filters)
        or any(name in form.errors for name in more_filters),
    }
    return render(request, "frontend/runs.html", context)


# --- A run's page -----------------------------------------------------------------------


def configuration_parameter_rows(flow: Flow, configuration: Configuration) -> list[dict]:
    """The configuration's values, with each parameter's declared type and default."""
    declared = declared_parameters(flow)
    rows = []
    for key, value in sorted(configuration.parameters.items()):
        parameter = declared.get(key)
        rows.append(
            {
                "name": key,
                "value": as_json(value),
                "type": parameter.data_type if parameter else "",
                "is_default": parameter is not None and parameter.default == value,
            }
        )
    return rows


def _measures(run: Run) -> tuple[list[dict], dict | None]:
    """Every measure (the task's first) and the per-fold table: rows are folds."""
    evaluations = sorted(
        run.evaluations.all(),
        key=lambda e: (e.measure != run.task.evaluation_measure, _measure_order(e.measure)),
    )
    measures = [
        {
            **measure_info(e.measure),
            "value": e.value,
            "std": e.std,
            "is_task_measure": e.measure == run.task.evaluation_measure,
        }
        for e in evaluations
    ]
    if not evaluations:
        return measures, None
    by_fold: dict[tuple[int, int], list] = {}
    for column, evaluation in enumerate(evaluations):
        for repeat, fold, value in evaluation.per_fold:
            by_fold.setdefault((repeat, fold), [None] * len(evaluations))[column] = value
    folds = sorted(by_fold)
    table = {
        "measures": [e.measure for e in evaluations],
        "rows": [
            {"repeat": repeat, "fold": fold, "values": by_fold[(repeat, fold)]}
            for repeat, fold in folds[:MAX_FOLD_ROWS]
        ],
        "total": len(folds),
        "repeats": len({repeat for repeat, _ in folds}),
    }
    return measures, table


# Shown first, in this order, when the uploader's environment has them.
ENVIRONMENT_FIRST = ("python", "platform", "os", "host", "hostname", "machine", "cpu")


def environment_rows(environment: dict) -> tuple[list[tuple[str, str]], list[dict]]:
    """The environment as facts (key, text) and tables (a mapping's entries, such as the
    library versions): whatever the uploader sent, in a readable order."""
    facts, tables = [], []
    keys = [k for k in ENVIRONMENT_FIRST if k in environment]
    keys += sorted(k for k in environment if k not in ENVIRONMENT_FIRST)
    for key in keys:
        value = environment[key]
        if isinstance(value, dict) and value:
            tables.append(
                {
                    "name": key,
                    "items": [
                        (name, v if isinstance(v, str) else as_json(v))
                        for name, v in sorted(value.items())
                    ],
                }
            )
        else:
            facts.append((key, value if isinstance(value, str) else as_json(value)))
    return facts, tables


def _timings(run: Run) -> dict | None:
    timings = run.fold_timings or []
    if not timings:
        return None

    def total(name: str) -> float | None:
        values = [t[name] for t in timings if t.get(name) is not None]
        return sum(values) if values else None

    return {
        "rows": timings[:MAX_FOLD_ROWS],
        "total": len(timings),
        "fit": total("fit_seconds"),
        "predict": total("predict_seconds"),
    }


def queue_position_of(run: Run) -> int | None:
    """A server run's place in the waiting line, while it waits for a worker."""
    return queue_positions_of([run]).get(run.pk)


def _resources(run: Run) -> dict | None:
    """What a server run used, and its limits, as the worker measured them."""
    resources = run.resources or {}
    if not resources:
        return None
    return {
        "memory": resources.get("peak_memory_mb"),
        "memory_limit": resources.get("memory_limit_mb"),
        "cpu": resources.get("cpu_seconds"),
        "wall": resources.get("wall_seconds"),
        "wall_limit": resources.get("wall_limit_seconds"),
    }


def _render_run(request: HttpRequest, run: Run) -> HttpResponse:
    measures, fold_table = _measures(run)
    facts, tables = environment_rows(run.environment or {})
    task_measure = next((m for m in measures if m["is_task_measure"]), None)
    context = {
        "run": run,
        "task": run.task,
        "dataset": run.task.dataset,
        "flow": run.flow,
        "configuration": run.configuration,
        "parameters": configuration_parameter_rows(run.flow, run.configuration),
        "queue_position": queue_position_of(run),
        "resources": _resources(run),
        "measures": measures,
        "task_measure": task_measure or measure_info(run.task.evaluation_measure),
        "fold_table": fold_table,
        "environment_facts": facts,
        "environment_tables": tables,
        "timings": _timings(run),
        # The predictions as uploaded; downloaded from the API, which serves a signed-in
        # session as well as a key. (The scorer's own copy is not the uploader's file.)
        "predictions": predictions_file_of(run=run),
        "tags": [t.tag for t in run.tags.all()],
    }
    return render(request, "frontend/run_detail.html", context)


@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    return _render_run(request, _get_run_or_404(request, run_id))


@require_GET
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """Polled every 2 s by the page of a run being scored: the same panel until it is done
    or failed, then htmx reloads the whole page (measures, or the reason it failed)."""
    run = _get_run_or_404(request, run_id)
    if not request.htmx:
        return redirect("run_detail", run_id=run.pk)
    if not run.is_finished:
        return render(
            request,
            "frontend/partials/run_processing.html",
            {"run": run, "queue_position": queue_position_of(run)},
        )
    return HttpResponseClientRefresh()


# --- Upload -----------------------------------------------------------------------------


def _upload_form(request: HttpRequest, data=None, files=None) -> RunUploadForm:
    flows = list(list_flows().order_by("-id")[:FLOW_CHOICES])
    initial = {}
    if data is None:
        # Preselected from the task page (?task=) or a flow's page (?flow=).
        task, flow = request.GET.get("task", ""), request.GET.get("flow", "")
        if is_id(task):
            initial["task"] = int(task)
        if is_id(flow):
            offered = any(f.pk == int(flow) for f in flows)
            initial["flow" if offered else "flow_id"] = int(flow)
    return RunUploadForm(data, files, user=request.user, flows=flows, initial=initial)


def _chosen_task(request: HttpRequest, form: RunUploadForm) -> Task | None:
    """The task the form is for, to describe it beside the form (None if unknown)."""
    raw = str(form["task"].value() or "")
    if not is_id(raw):
        return None
    try:
        return get_task(viewer=request.user, task_id=int(raw))
    except TaskNotFound:
        return None


def _render_upload(
    request: HttpRequest, form: RunUploadForm, *, problems=None, counts=None
) -> HttpResponse:
    context = {
        "form": form,
        "task": _chosen_task(request, form),
        "problems": problems or [],
        "counts": sorted((counts or {}).items()),
        "max_upload_bytes": settings.TUNEBENCH_MAX_UPLOAD_BYTES,
    }
    return render(request, "frontend/run_upload.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@throttle_posts("runs")
def run_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render_upload(request, _upload_form(request))
    form = _upload_form(request, request.POST, request.FILES)
    # A body without a length that outgrew the cap: the upload handler stopped reading it.
    if getattr(request, "upload_too_large", False):
        return too_large_response(request)
    if not form.is_valid():
        return _render_upload(request, form)
    data = form.cleaned_data
    try:
        run = services.upload_run(
            uploader=request.user,
            task_id=data["task"],
            chunks=data["predictions"].chunks(),
            flow_id=data["flow"],
            parameters=data["parameters"],
            seed=data["seed"],
            team=data["team_id"],
            tags=data["tags"],
            description=data["description"],
        )
    except DomainError as exc:
        if exc.field == "flow" and data.get("flow_id") is not None:
            form.add_error("flow_id", exc.detail)  # the id box was used, not the list
        elif not show_error(form, exc):
            form.add_error(None, exc.detail)
        if isinstance(exc, InvalidPredictions):
            return _render_upload(
                request,
                form,
                problems=exc.extensions.get("problems"),
                counts=exc.extensions.get("counts"),
            )
        return _render_upload(request, form)
    messages.success(request, "Uploaded; the server is scoring the predictions.")
    return redirect("run_detail", run_id=run.pk)
