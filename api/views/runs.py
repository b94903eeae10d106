"""``/api/v1/runs/``: upload a run's predictions (multipart), list, describe, download.

A run is visible exactly when its task is (the selectors say so). An upload is checked
completely by :func:`runs.services.upload_run` before anything is stored, then scored by
a worker: the response is the run as stored, usually still ``queued``.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from api.files import stored_file_response
from api.filters import choice_param, id_param
from api.schema import problems
from api.serializers.runs import (
    RunListSerializer,
    RunSerializer,
    RunUploadProblemSerializer,
    RunUploadSerializer,
)
from datasets.exceptions import UploadTooLarge
from runs import services
from runs.execution import queue_positions_of, reverify_run
from runs.models import Evaluation, Run
from runs.selectors import get_run, list_runs, predictions_file_of

LIST_PARAMETERS = [
    OpenApiParameter("task", int),
    OpenApiParameter("flow", int),
    OpenApiParameter("configuration", int),
    OpenApiParameter("uploader", str, description="Username."),
    OpenApiParameter("team", int, description="Team id."),
    OpenApiParameter("status", str, enum=Run.Status.values),
    OpenApiParameter("tag", str, description="Exact tag."),
    OpenApiParameter("origin", str, enum=Run.Origin.values),
]


class RunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RunSerializer
    filter_backends: list = []
    parser_classes = [MultiPartParser]  # a run is a file with form fields
    queryset = Run.objects.none()  # schema generation only

    def get_queryset(self):
        params = self.request.query_params
        return (
            list_runs(
                viewer=self.request.user,
                task_id=id_param(params, "task"),
                flow_id=id_param(params, "flow"),
                configuration_id=id_param(params, "configuration"),
                uploader=params.get("uploader") or None,
                team_id=id_param(params, "team"),
                status=choice_param(params, "status", Run.Status.values),
                tag=params.get("tag") or None,
                origin=choice_param(params, "origin", Run.Origin.values),
            )
            .select_related("configuration")
            .prefetch_related(
                "files", Prefetch("evaluations", Evaluation.objects.defer("per_fold"))
            )
        )

    def get_serializer_class(self):
        return RunListSerializer if self.action == "list" else RunSerializer

    def get_object(self):
        return get_run(viewer=self.request.user, run_id=self.kwargs["pk"])

    def get_throttles(self):
        if self.action in ("create", "reverify"):
            self.throttle_scope = "runs"
        return super().get_throttles()

    @extend_schema(summary="List runs (newest first)", parameters=LIST_PARAMETERS)
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        context = {**self.get_serializer_context(), "queue_positions": queue_positions_of(page)}
        return self.get_paginated_response(RunListSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="Get a run with its evaluations", responses={200: RunSerializer, **problems(404)}
    )
    def retrieve(self, request, *args, **kwargs):
        run = self.get_object()
        context = {**self.get_serializer_context(), "queue_positions": queue_positions_of([run])}
        return Response(RunSerializer(run, context=context).data)

    @extend_schema(
        summary="Upload a run: predictions for every test row of a task's splits",
        description=(
            "Give `configuration`, or `flow` with `parameters` (missing values take the "
            "flow's defaults). Predictions that do not fit the task's splits are a 400 whose "
            "`code` is the first problem's, with `problems` (code, message, row, column) and "
            "`counts`; nothing is stored. Accepted runs are scored by a worker."
        ),
        request={"multipart/form-data": RunUploadSerializer},
        responses={
            201: OpenApiResponse(RunSerializer, description="Stored; scoring is queued."),
            400: OpenApiResponse(
                RunUploadProblemSerializer,
                description="Invalid input; `errors` names the field, `problems` the rows.",
            ),
            **problems(401, 403, 429),
            413: OpenApiResponse(description="Over the upload size cap."),
        },
    )
    def create(self, request):
        payload = RunUploadSerializer(data=request.data)
        if getattr(request._request, "upload_too_large", False):
            raise UploadTooLarge()
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        run = services.upload_run(
            uploader=request.user,
            task_id=data["task"],
            chunks=data["predictions"].chunks(),
            flow_id=data["flow"],
            parameters=data["parameters"],
            configuration_id=data["configuration"],
            seed=data["seed"],
            environment=data["environment"],
            fold_timings=data["fold_timings"],
            team=data["team"],
            tags=data["tags"],
            description=data["description"],
        )
        return Response(
            self.get_serializer(get_run(viewer=request.user, run_id=run.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Re-execute an uploaded run on the server to verify it",
        description=(
            "For a scored run with a seed whose flow is executable (one of the server's "
            "`tunebench.<estimator>` flows): the server executes the same configuration and "
            "seed on the task's splits. Returns the server's run (202; an earlier "
            "re-execution that did not fail is returned as is). The uploaded run's "
            "`verification` then reads pending, and match or mismatch with the difference in "
            "every measure once the server's run is done. Counts toward your quota."
        ),
        request=None,
        responses={202: RunSerializer, **problems(400, 401, 404, 429)},
    )
    @action(detail=True, methods=["post"])
    def reverify(self, request, pk=None):
        server_run = reverify_run(requester=request.user, run_id=pk)
        run = get_run(viewer=request.user, run_id=server_run.pk)
        context = {**self.get_serializer_context(), "queue_positions": queue_positions_of([run])}
        return Response(RunSerializer(run, context=context).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Download the predictions file, exactly as uploaded",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file; `X-Checksum-SHA256` and `ETag` carry its SHA-256.",
            ),
            **problems(404),
        },
    )
    @action(detail=True, methods=["get"])
    def predictions(self, request, pk=None):
        run = self.get_object()
        stored = predictions_file_of(run=run)
        path = services.predictions_path(run.pk, stored.format) if stored else None
        if path is None or not path.exists():
            raise NotFound("The run's predictions file is missing.", code="predictions_missing")
        kind = services.EXTENSIONS[stored.format]
        return stored_file_response(
            path,
            kind=kind,
            filename=f"run-{run.pk}-predictions.{kind}",
            md5=stored.md5,
            sha256=stored.sha256,
        )
