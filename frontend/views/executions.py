"""Running configurations on the server: the submission form and a configuration's page.

The form is built from the registry's space of the chosen estimator (those of the task's
type, ``tunebench.engine.list_estimators``): one input per hyperparameter, pre-filled with
its default. The page works as a plain form (``?estimator=<name>`` renders that estimator's
inputs); submit.js switches estimators and hides the inputs whose condition does not hold
without a reload. Either way the view sends only the hyperparameters that apply, given the
values posted (``frontend.forms.read_parameters``). Whether the configuration, the seeds
and the team are acceptable is the service's business
(``runs.execution.submit_configuration``): it names every problem at once, and the page
shows each next to its field and all of them above the form. Nothing is stored then.

A configuration's page shows its parameters and, per task, the runs of it the viewer can
see, with the mean, std and 95% interval across seeds of the verified ones
(``runs.selectors.seed_summaries``). It polls every 2 s while a run is unfinished.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from config.errors import DomainError
from flows.exceptions import ConfigurationNotFound, InvalidConfiguration
from flows.models import Configuration
from flows.selectors import get_configuration
from flows.services import registry_parameters
from frontend.forms import (
    SubmissionForm,
    describe_range,
    estimator_label,
    is_id,
    parameter_rows,
    read_parameters,
    show_error,
)
from frontend.throttling import throttle_posts
from frontend.views.runs import (
    _measure_order,
    configuration_parameter_rows,
    measure_info,
    task_scores,
)
from frontend.views.tasks import _get_task_or_404
from runs.exceptions import QuotaExceeded
from runs.execution import queue_positions_of, quota_usage, submit_configuration
from runs.models import Run
from runs.selectors import list_runs, seed_summaries
from tasks.exceptions import TaskNotFound
from tasks.models import Task
from tasks.selectors import get_task

# What submit.js needs of a hyperparameter row to build its input (it derives the names
# and ids from the name, as forms.PARAM_PREFIX and NUMBER_SUFFIX do).
CLIENT_ROW_KEYS = (
    "name",
    "widget",
    "low",
    "high",
    "step",
    "number",
    "options",
    "checked",
    "range",
    "default",
    "condition_json",
    "condition_text",
)
# Runs listed on a configuration's page (the run list, filtered by configuration, has all).
RUNS_ON_CONFIGURATION_PAGE = 200


def _estimators_for(task: Task) -> list[dict]:
    """The registry's estimators for the task's type (the test-only ones are not offered)."""
    from tunebench import engine

    return engine.list_estimators(task.task_type)


def _space_url(name: str) -> str:
    return reverse("estimator-detail", args=[name])


# --- The submission form ----------------------------------------------------------------


def _prefill(request: HttpRequest, by_name: dict) -> tuple[str, dict]:
    """The estimator and values a GET asks for: ``?configuration=<id>`` (run more seeds of a
    configuration) or ``?estimator=<name>``."""
    raw = request.GET.get("configuration", "")
    if is_id(raw):
        try:
            configuration = get_configuration(viewer=request.user, configuration_id=int(raw))
        except ConfigurationNotFound:
            configuration = None
        if configuration is not None and configuration.flow.estimator in by_name:
            return configuration.flow.estimator, dict(configuration.parameters)
    return request.GET.get("estimator", ""), {}


def _attach_problems(
    form: SubmissionForm, exc: InvalidConfiguration, space: dict | None, empty: list[str]
) -> dict[str, list[str]]:
    """Each of the service's problems on its field (a hyperparameter's by its name, in the
    returned mapping); problems about no field of the form are the form's own."""
    by_name = {hp["name"]: hp for hp in space["hyperparameters"]} if space else {}
    seeds = (form.cleaned_data or {}).get("seeds") or []
    on_parameters: dict[str, list[str]] = {}
    for field, items in exc.errors.items():
        for item in items:
            message = item["message"]
            if field.startswith("parameters."):
                name = field.split(".", 1)[1]
                if name in by_name:
                    if name in empty:
                        message = f"Enter a value. {describe_range(by_name[name])}."
                    on_parameters.setdefault(name, []).append(message)
                else:  # a parameter the form does not have: unknown, fixed or excluded
                    form.add_error(None, f"Parameter {name}: {message}")
            elif field.startswith("seeds."):
                index = int(field.split(".", 1)[1])
                shown = seeds[index] if index < len(seeds) else "?"
                form.add_error("seeds", f"Seed {index + 1} ({shown}): {message}")
            elif field in form.fields:
                form.add_error(field, message)
            else:
                form.add_error(None, message)
    return on_parameters


def _summary(form: SubmissionForm, rows: list[dict]) -> list[dict]:
    """Every problem of the page, for the list above the form (each links to its field)."""
    problems = [{"label": "", "message": m, "anchor": ""} for m in form.non_field_errors()]
    for name in ("estimator", "seeds", "team_id", "tags", "description"):
        for message in form.errors.get(name, []):
            problems.append({"label": form[name].label, "message": message, "anchor": f"id_{name}"})
    for row in rows:
        for message in row["errors"]:
            problems.append({"label": row["name"], "message": message, "anchor": row["id"]})
    return problems


def _success_message(submission) -> str:
    pairs = list(zip(submission.runs, submission.reused, strict=True))
    new = [run for run, reused in pairs if not reused]
    old = [run for run, reused in pairs if reused]

    def listed(runs: list[Run]) -> str:
        return ", ".join(f"run {run.pk} (seed {run.seed})" for run in runs)

    parts = []
    if new:
        runs = "run" if len(new) == 1 else "runs"
        parts.append(f"Queued {len(new)} {runs} on the server: {listed(new)}.")
    if old:
        seeds = ", ".join(str(run.seed) for run in old)
        parts.append(
            f"Seed{'s' if len(old) != 1 else ''} {seeds} had a run of this configuration "
            f"already, not started again: {listed(old)}."
        )
    return " ".join(parts)


def _render_submit(
    request: HttpRequest,
    task: Task,
    form: SubmissionForm,
    estimators: list[dict],
    *,
    chosen: str,
    initial: dict | None = None,
    parameter_errors: dict | None = None,
    chooser_error: str = "",
) -> HttpResponse:
    by_name = {e["name"]: e for e in estimators}
    space = by_name.get(chosen)
    data = request.POST if request.method == "POST" else None
    rows = (
        parameter_rows(space, data=data, initial=initial, errors=parameter_errors) if space else []
    )
    problems = _summary(form, rows) if form.is_bound else []
    context = {
        "task": task,
        "form": form,
        "chosen": space,
        "chosen_label": estimator_label(space) if space else "",
        "space_url": _space_url(space["name"]) if space else "",
        "rows": rows,
        "problems": problems,
        "chooser_error": chooser_error,
        "quota": quota_usage(request.user, None),
        # What submit.js builds the inputs from when another estimator is chosen: the
        # same rows the template renders, with every input at its default.
        "spaces": {
            e["name"]: {
                "label": estimator_label(e),
                "url": _space_url(e["name"]),
                "seeded": e["seeded"],
                "rows": [{key: row[key] for key in CLIENT_ROW_KEYS} for row in parameter_rows(e)],
            }
            for e in estimators
        },
    }
    return render(request, "frontend/task_submit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@throttle_posts("runs")
def task_submit(request: HttpRequest, task_id: int) -> HttpResponse:
    """GET: the form (``?estimator=`` or ``?configuration=`` pre-fills it); POST: submit
    the configuration and show it, its runs queued."""
    task = _get_task_or_404(request, task_id)
    estimators = _estimators_for(task)
    by_name = {e["name"]: e for e in estimators}
    if request.method == "GET":
        chosen, initial = _prefill(request, by_name)
        chooser_error = ""
        if chosen and chosen not in by_name:
            chooser_error = "Choose one of the estimators offered for this task's type."
            chosen = ""
        form = SubmissionForm(
            user=request.user, estimators=estimators, initial={"estimator": chosen}
        )
        return _render_submit(
            request,
            task,
            form,
            estimators,
            chosen=chosen,
            initial=initial,
            chooser_error=chooser_error,
        )

    form = SubmissionForm(request.POST, user=request.user, estimators=estimators)
    chosen = request.POST.get("estimator", "")
    space = by_name.get(chosen)
    values, empty = read_parameters(space, request.POST) if space else ({}, [])
    parameter_errors: dict[str, list[str]] = {}
    if not form.is_valid():
        # The form's own fields need correcting first; say now what is wrong with the
        # hyperparameters too (this check stores nothing).
        if space is not None:
            try:
                registry_parameters(space["name"], values)
            except InvalidConfiguration as exc:
                parameter_errors = _attach_problems(form, exc, space, empty)
        return _render_submit(
            request, task, form, estimators, chosen=chosen, parameter_errors=parameter_errors
        )
    data = form.cleaned_data
    try:
        submission = submit_configuration(
            submitter=request.user,
            task_id=task.pk,
            estimator=data["estimator"],
            parameters=values,
            seeds=data["seeds"],
            team=data["team_id"],
            tags=data["tags"],
            description=data["description"],
        )
    except InvalidConfiguration as exc:
        parameter_errors = _attach_problems(form, exc, space, empty)
    except QuotaExceeded as exc:
        used, limit = exc.extensions.get("used"), exc.extensions.get("limit")
        form.add_error(None, f"Quota exceeded: {used} of {limit} server runs counted. {exc.detail}")
    except DomainError as exc:
        if not show_error(form, exc):
            form.add_error(None, exc.detail)
    else:
        messages.success(request, _success_message(submission))
        url = reverse("configuration_detail", args=[submission.configuration.pk])
        return redirect(f"{url}?task={task.pk}")
    return _render_submit(
        request, task, form, estimators, chosen=chosen, parameter_errors=parameter_errors
    )


# --- A configuration's page -------------------------------------------------------------


def _get_configuration_or_404(request: HttpRequest, configuration_id: int) -> Configuration:
    try:
        return get_configuration(viewer=request.user, configuration_id=configuration_id)
    except ConfigurationNotFound:
        raise Http404("No such configuration.") from None


def _focus(request: HttpRequest) -> int | None:
    raw = request.GET.get("task", "")
    return int(raw) if is_id(raw) else None


def _seed_rows(summary, task: Task) -> list[dict]:
    """The measures across seeds, the task's own first, then the engine's order."""
    measures = sorted(
        summary.measures,
        key=lambda m: (m.measure != task.evaluation_measure, _measure_order(m.measure)),
    )
    return [
        {
            "interval": m,
            "info": measure_info(m.measure),
            "is_task_measure": m.measure == task.evaluation_measure,
        }
        for m in measures
    ]


def _tasks_context(request: HttpRequest, configuration: Configuration) -> dict:
    """The configuration's runs the viewer can see, by task, with their seed summaries."""
    focus = _focus(request)
    runs = list(
        list_runs(viewer=request.user, configuration_id=configuration.pk, task_id=focus)[
            : RUNS_ON_CONFIGURATION_PAGE + 1
        ]
    )
    truncated = len(runs) > RUNS_ON_CONFIGURATION_PAGE
    runs = runs[:RUNS_ON_CONFIGURATION_PAGE]
    scores = task_scores(request, runs)
    positions = queue_positions_of(runs)
    summaries = {
        summary.task_id: summary
        for summary in seed_summaries(
            viewer=request.user, configuration_ids=[configuration.pk], task_id=focus
        )
    }
    groups: dict[int, dict] = {}
    for run in sorted(runs, key=lambda r: (r.task_id, r.seed is None, r.seed or 0, r.pk)):
        group = groups.setdefault(
            run.task_id,
            {
                "task": run.task,
                "measure": measure_info(run.task.evaluation_measure),
                "runs": [],
                "summary": summaries.get(run.task_id),
                "seed_rows": _seed_rows(summaries[run.task_id], run.task)
                if run.task_id in summaries
                else [],
            },
        )
        group["runs"].append(
            {"run": run, "score": scores.get(run.pk), "position": positions.get(run.pk)}
        )
    focus_task = None
    if focus is not None and focus not in groups:
        try:
            focus_task = get_task(viewer=request.user, task_id=focus)
        except TaskNotFound:
            focus_task = None
    return {
        "configuration": configuration,
        "focus": focus,
        "focus_task": focus_task,
        "groups": list(groups.values()),
        "run_total": len(runs),
        "truncated": truncated,
        "unfinished": any(not run.is_finished for run in runs),
        "status_url": reverse("configuration_status", args=[configuration.pk])
        + (f"?task={focus}" if focus is not None else ""),
    }


@require_GET
def configuration_detail(request: HttpRequest, configuration_id: int) -> HttpResponse:
    configuration = _get_configuration_or_404(request, configuration_id)
    flow = configuration.flow
    context = {
        **_tasks_context(request, configuration),
        "flow": flow,
        "parameters": configuration_parameter_rows(flow, configuration),
        "space_url": _space_url(flow.estimator) if flow.is_executable else "",
    }
    return render(request, "frontend/configuration_detail.html", context)


@require_GET
def configuration_status(request: HttpRequest, configuration_id: int) -> HttpResponse:
    """Polled every 2 s by the page of a configuration with unfinished runs: the runs and
    seed summaries, polling again until every run is done or failed."""
    configuration = _get_configuration_or_404(request, configuration_id)
    if not request.htmx:
        url = reverse("configuration_detail", args=[configuration.pk])
        focus = _focus(request)
        return redirect(f"{url}?task={focus}" if focus is not None else url)
    return render(
        request,
        "frontend/partials/configuration_tasks.html",
        _tasks_context(request, configuration),
    )


@login_required
@require_http_methods(["POST"])
@throttle_posts("runs")
def run_reverify(request: HttpRequest, run_id: int) -> HttpResponse:
    """Have the server re-execute an uploaded run of an executable flow (the run page's
    button); the outcome shows on the run's page once the re-execution is done."""
    from runs.exceptions import RunNotFound
    from runs.execution import reverify_run

    try:
        server_run = reverify_run(requester=request.user, run_id=run_id)
    except RunNotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("run_detail", run_id=run_id)
    messages.success(
        request,
        f"Run {server_run.pk} re-executes this configuration with seed {server_run.seed}; "
        "this page shows the comparison when it is done.",
    )
    return redirect("run_detail", run_id=run_id)
