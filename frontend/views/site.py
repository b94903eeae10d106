"""Site-wide pages: the home page and the error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_GET

from accounts.selectors import count_teams, count_users
from datasets.selectors import count_datasets
from health.selectors import queue_statuses

# --- Home -------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "user_count": count_users(),
        "team_count": count_teams(),
        "dataset_count": count_datasets(viewer=request.user),
        "queues": queue_statuses(),
        "site_url": request.build_absolute_uri("/").rstrip("/"),
    }
    return render(request, "frontend/home.html", context)


# --- Errors -----------------------------------------------------------------------------


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "frontend/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context and no database: whatever broke may be either of them.
    return HttpResponseServerError(loader.get_template("frontend/500.html").render())
