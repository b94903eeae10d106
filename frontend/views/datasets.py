"""Datasets: the list with its filters, a dataset's page, the upload form, owner actions.

Visibility is the selectors' business: a dataset the viewer may not see is reported as not
existing (404), here as in the API. Whether someone may edit, deactivate or delete is the
services' business; the page only decides which buttons to show.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.http import HttpResponseClientRefresh

from accounts.models import User
from config.errors import DomainError
from datasets import services
from datasets.exceptions import DatasetNotFound
from datasets.models import Dataset
from datasets.selectors import (
    features_of,
    get_dataset,
    list_datasets,
    qualities_of,
    versions_of,
)
from datasets.uploads import too_large_response
from frontend.forms import (
    QUALITY_FILTERS,
    DatasetFilterForm,
    DatasetMetadataForm,
    DatasetUploadForm,
    show_error,
)
from frontend.rendering import feature_rows
from frontend.throttling import throttle_posts
from tasks.selectors import list_tasks

PER_PAGE = 50
TASKS_ON_DATASET_PAGE = 20
DOWNLOADS = (("parquet", "Parquet"), ("csv", "CSV"), ("arff", "ARFF"))
# The plotly.js that the installed plotly package bundles: served by us, never a CDN.
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


def _get_dataset_or_404(request: HttpRequest, dataset_id: int) -> Dataset:
    try:
        return get_dataset(viewer=request.user, dataset_id=dataset_id)
    except DatasetNotFound:
        raise Http404("No such dataset.") from None


def _can_manage(user: User, dataset: Dataset) -> bool:
    """Whether to show the owner's buttons. The services decide again on every post."""
    return user.is_authenticated and (user.pk == dataset.uploader_id or user.is_staff)


# --- The list ---------------------------------------------------------------------------


@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    form = DatasetFilterForm(request.GET)
    page, rows = None, []
    if form.is_valid():
        queryset = list_datasets(viewer=request.user, **form.selector_filters())
        page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
        for dataset in page.object_list:
            values = {q.name: q.value for q in dataset.list_qualities}
            rows.append(
                {
                    "dataset": dataset,
                    "qualities": [(label, values.get(name)) for _, name, label in QUALITY_FILTERS],
                }
            )
    ranges = [f"{prefix}_{bound}" for prefix, _, _ in QUALITY_FILTERS for bound in ("min", "max")]
    more_filters = ["tag", "uploader", "format", *ranges]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        # Open the "more filters" box when one of its fields is in use or has an error.
        "more_filters_open": any(request.GET.get(name) for name in more_filters)
        or any(name in form.errors for name in more_filters),
    }
    return render(request, "frontend/datasets.html", context)


# --- A dataset's page -------------------------------------------------------------------


def _metadata_initial(dataset: Dataset) -> dict:
    return {
        "description": dataset.description,
        "licence": dataset.licence,
        "citation": dataset.citation,
        "original_data_url": dataset.original_data_url,
        "paper_url": dataset.paper_url,
        "tags": [t.tag for t in dataset.tags.all()],
    }


def _render_dataset(
    request: HttpRequest, dataset: Dataset, *, edit_form: DatasetMetadataForm | None = None
) -> HttpResponse:
    from frontend.views.tasks import task_form

    features = list(features_of(dataset=dataset))
    rows, plots = feature_rows(features)
    files = {f.kind: f for f in dataset.files.all()}
    downloadable = dataset.status in {Dataset.Status.ACTIVE, Dataset.Status.DEACTIVATED}
    can_manage = _can_manage(request.user, dataset)
    context = {
        "dataset": dataset,
        "tags": [t.tag for t in dataset.tags.all()],
        "versions": versions_of(viewer=request.user, dataset=dataset),
        "qualities": qualities_of(dataset=dataset),
        "feature_rows": rows,
        "target_rows": [row for row in rows if row["feature"].is_target and row["plot"]],
        "plots": plots,
        "downloads": [
            {"kind": kind, "label": label, "file": files[kind]}
            for kind, label in DOWNLOADS
            if downloadable and kind in files
        ],
        "can_manage": can_manage,
        "edit_form": (edit_form or DatasetMetadataForm(initial=_metadata_initial(dataset)))
        if can_manage
        else None,
        # The dataset's tasks, whatever their status; all of them are in the task list.
        "tasks": list_tasks(viewer=request.user, dataset_id=dataset.pk, status=None)[
            : TASKS_ON_DATASET_PAGE + 1
        ],
        "tasks_shown": TASKS_ON_DATASET_PAGE,
        "task_form": task_form(dataset, features=features)
        if request.user.is_authenticated and dataset.status == Dataset.Status.ACTIVE
        else None,
    }
    return render(request, "frontend/dataset_detail.html", context)


@require_GET
def dataset_detail(request: HttpRequest, dataset_id: int) -> HttpResponse:
    return _render_dataset(request, _get_dataset_or_404(request, dataset_id))


@require_GET
def dataset_status(request: HttpRequest, dataset_id: int) -> HttpResponse:
    """Polled by the page of a processing dataset: the same panel until it is done.

    Once ingestion has finished (or failed), htmx is told to reload the whole page, which
    then shows the features, qualities and downloads, or the error.
    """
    dataset = _get_dataset_or_404(request, dataset_id)
    if not request.htmx:  # the panel alone is no page: show the dataset's
        return redirect("dataset_detail", dataset_id=dataset.pk)
    if dataset.status == Dataset.Status.PROCESSING:
        return render(request, "frontend/partials/dataset_processing.html", {"dataset": dataset})
    return HttpResponseClientRefresh()


@require_safe
def plotly_js(request: HttpRequest) -> FileResponse:
    """plotly.js from the plotly package; its version is in the address, so cache it forever."""
    response = FileResponse(
        open(PLOTLY_JS, "rb"),  # noqa: SIM115 - FileResponse closes it when streamed
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


# --- Upload -----------------------------------------------------------------------------


def _render_upload(request: HttpRequest, form: DatasetUploadForm) -> HttpResponse:
    context = {"form": form, "max_upload_bytes": settings.TUNEBENCH_MAX_UPLOAD_BYTES}
    return render(request, "frontend/dataset_upload.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@throttle_posts("datasets")
def dataset_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render_upload(request, DatasetUploadForm(user=request.user))
    form = DatasetUploadForm(request.POST, request.FILES, user=request.user)
    # A body without a length that outgrew the cap: the upload handler stopped reading it.
    if getattr(request, "upload_too_large", False):
        return too_large_response(request)
    if form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            dataset = services.upload_dataset(
                uploader=request.user,
                chunks=upload.chunks(),
                filename=upload.name or "",
                name=data["name"],
                description=data["description"],
                licence=data["licence"],
                citation=data["citation"],
                original_data_url=data["original_data_url"],
                paper_url=data["paper_url"],
                default_target_attribute=data["default_target_attribute"],
                row_id_attribute=data["row_id_attribute"],
                ignore_attributes=data["ignore_attributes"],
                tags=data["tags"],
                visibility=data["visibility"],
                team=data["team_id"],
            )
        except (DomainError, ValidationError) as exc:
            if not show_error(form, exc):
                form.add_error(None, exc.detail)
        else:
            messages.success(request, "Uploaded; it is being processed.")
            return redirect("dataset_detail", dataset_id=dataset.pk)
    return _render_upload(request, form)


# --- Owner actions ----------------------------------------------------------------------


@login_required
@require_POST
def dataset_update(request: HttpRequest, dataset_id: int) -> HttpResponse:
    dataset = _get_dataset_or_404(request, dataset_id)
    form = DatasetMetadataForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_dataset(
                dataset=dataset,
                actor=request.user,
                tags=data["tags"],
                description=data["description"],
                licence=data["licence"],
                citation=data["citation"],
                original_data_url=data["original_data_url"],
                paper_url=data["paper_url"],
            )
        except (DomainError, ValidationError) as exc:
            if not show_error(form, exc):
                messages.error(request, exc.detail)
                return redirect("dataset_detail", dataset_id=dataset_id)
            # The failed update may have changed the object in memory: show the stored one.
            dataset = _get_dataset_or_404(request, dataset_id)
        else:
            messages.success(request, "Dataset details saved.")
            return redirect("dataset_detail", dataset_id=dataset_id)
    return _render_dataset(request, dataset, edit_form=form)


def _change_status(request: HttpRequest, dataset_id: int, *, change, done: str) -> HttpResponse:
    dataset = _get_dataset_or_404(request, dataset_id)
    try:
        change(dataset=dataset, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, done)
    return redirect("dataset_detail", dataset_id=dataset_id)


@login_required
@require_POST
def dataset_deactivate(request: HttpRequest, dataset_id: int) -> HttpResponse:
    return _change_status(
        request,
        dataset_id,
        change=services.deactivate_dataset,
        done="Dataset deactivated: it is no longer listed, and can be reactivated.",
    )


@login_required
@require_POST
def dataset_reactivate(request: HttpRequest, dataset_id: int) -> HttpResponse:
    return _change_status(
        request, dataset_id, change=services.reactivate_dataset, done="Dataset reactivated."
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_delete(request: HttpRequest, dataset_id: int) -> HttpResponse:
    """Ask first (GET), delete on the confirming POST."""
    dataset = _get_dataset_or_404(request, dataset_id)
    if request.method == "GET":
        if not _can_manage(request.user, dataset):
            messages.error(request, "Only the dataset's uploader can delete it.")
            return redirect("dataset_detail", dataset_id=dataset_id)
        return render(request, "frontend/dataset_delete.html", {"dataset": dataset})
    try:
        services.delete_dataset(dataset=dataset, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("dataset_detail", dataset_id=dataset_id)
    messages.success(request, f"Dataset “{dataset.name}” version {dataset.version} deleted.")
    return redirect("datasets")
