"""Flows: the list with its filters, and a flow's page with its parameters, components and runs.

Flows are public, as on OpenML; their runs are not always: a flow's page lists only the
runs the viewer may see (the runs selectors' business), and counts only those.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from flows.exceptions import FlowNotFound
from flows.models import Flow
from flows.selectors import flows_used_by, get_flow, list_configurations, list_flows
from frontend.forms import FlowFilterForm
from frontend.views.runs import as_json, task_scores
from runs.selectors import list_runs, visible_run_count

PER_PAGE = 50
RUNS_ON_FLOW_PAGE = 20


def _get_flow_or_404(flow_id: int) -> Flow:
    try:
        return get_flow(flow_id=flow_id)
    except FlowNotFound:
        raise Http404("No such flow.") from None


@require_GET
def flow_list(request: HttpRequest) -> HttpResponse:
    form = FlowFilterForm(request.GET)
    page = None
    if form.is_valid():
        queryset = list_flows(**form.selector_filters())
        page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "frontend/flows.html", {"form": form, "page": page})


@require_GET
def flow_detail(request: HttpRequest, flow_id: int) -> HttpResponse:
    flow = _get_flow_or_404(flow_id)
    runs = list(list_runs(viewer=request.user, flow_id=flow.pk)[:RUNS_ON_FLOW_PAGE])
    scores = task_scores(request, runs)
    context = {
        "flow": flow,
        "tags": [t.tag for t in flow.tags.all()],
        "parameters": [
            {"parameter": p, "default": as_json(p.default)} for p in flow.parameters.all()
        ],
        "components": list(flow.components.all()),
        "used_in": list(flows_used_by(flow=flow)),
        "configuration_count": list_configurations(viewer=request.user, flow_id=flow.pk).count(),
        "runs": [{"run": run, "score": scores.get(run.pk)} for run in runs],
        "run_count": visible_run_count(viewer=request.user, flow_id=flow.pk),
    }
    return render(request, "frontend/flow_detail.html", context)
