"""``/api/v1/tasks/`` (with each task's leaderboard) and ``/api/v1/estimation-procedures/``.

A task is visible exactly when its dataset is (the selector says so). Creating the same
definition twice returns the existing task (200) instead of a second one (201).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.files import stored_file_response
from api.filters import choice_param, id_param
from api.schema import problems
from api.serializers.runs import LeaderboardSerializer
from api.serializers.tasks import (
    EstimationProcedureSerializer,
    TaskCreateSerializer,
    TaskSerializer,
    TaskTypeField,
)
from runs.selectors import leaderboard
from tasks import services
from tasks.exceptions import TaskSplitsMissing
from tasks.models import Task
from tasks.selectors import get_task, list_estimation_procedures, list_tasks, splits_file_of


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TaskSerializer
    filter_backends: list = []
    queryset = Task.objects.none()  # schema generation only

    def get_queryset(self):
        params = self.request.query_params
        task_type = None
        if params.get("task_type"):
            try:
                task_type = TaskTypeField().to_internal_value(params["task_type"])
            except ValidationError as exc:
                raise ValidationError({"task_type": exc.detail}) from None
        status_param = params.get("status", Task.Status.ACTIVE)
        if status_param != "all" and status_param not in Task.Status.values:
            raise ValidationError({"status": [f"One of {', '.join(Task.Status.values)}, all."]})
        return list_tasks(
            viewer=self.request.user,
            dataset_id=id_param(params, "dataset"),
            task_type=task_type,
            estimation_procedure_id=id_param(params, "estimation_procedure"),
            target=params.get("target") or None,
            tag=params.get("tag") or None,
            status=None if status_param == "all" else status_param,
        ).prefetch_related("split_files")

    def get_object(self):
        return get_task(viewer=self.request.user, task_id=self.kwargs["pk"])

    def get_throttles(self):
        if self.action == "create":
            self.throttle_scope = "tasks"
        return super().get_throttles()

    @extend_schema(
        summary="List tasks",
        parameters=[
            OpenApiParameter("dataset", int),
            OpenApiParameter("task_type", str, enum=["classification", "regression"]),
            OpenApiParameter("estimation_procedure", int),
            OpenApiParameter("target", str),
            OpenApiParameter("tag", str),
            OpenApiParameter(
                "status", str, enum=[*Task.Status.values, "all"], description="Default `active`."
            ),
        ],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Get a task", responses={200: TaskSerializer, **problems(404)})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Create a task (or get the existing one with the same definition)",
        request=TaskCreateSerializer,
        responses={
            201: TaskSerializer,
            200: OpenApiResponse(TaskSerializer, description="That task already exists."),
            **problems(400, 401, 429),
        },
    )
    def create(self, request):
        payload = TaskCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        task, created = services.create_task(
            creator=request.user,
            dataset_id=data["dataset_id"],
            task_type=data["task_type"],
            target=data["target"],
            estimation_procedure_id=data["estimation_procedure"],
            seed=data["seed"],
            evaluation_measure=data.get("evaluation_measure"),
            tags=data["tags"],
        )
        task = get_task(viewer=request.user, task_id=task.pk)
        return Response(
            TaskSerializer(task).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Download the task's splits (Parquet, CSV, or OpenML's split ARFF)",
        parameters=[OpenApiParameter("kind", str, "path", enum=["parquet", "csv", "arff"])],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="`X-Checksum-SHA256` carries the SHA-256."
            ),
            **problems(404),
        },
    )
    @action(detail=True, methods=["get"], url_path=r"splits/(?P<kind>parquet|csv|arff)")
    def splits(self, request, pk=None, kind=None):
        task = self.get_object()
        stored = splits_file_of(task=task, kind=kind)
        path = services.splits_path(task.pk, kind)
        if stored is None or not path.exists():
            raise TaskSplitsMissing()
        return stored_file_response(
            path,
            kind=kind,
            filename=f"task-{task.pk}-splits.{kind}",
            md5=stored.md5,
            sha256=stored.sha256,
        )

    @extend_schema(
        summary="The task's leaderboard: each person's (or team's) best scored run",
        description=(
            "Ranked by the measure in its own direction (higher is better for accuracy, "
            "lower for errors); equal scores go to the earlier run. A team board ranks only "
            "runs published for a team. Runs you may not see are not on it."
        ),
        parameters=[
            OpenApiParameter("by", str, enum=["person", "team"], description="Default person."),
            OpenApiParameter("measure", str, description="Default: the task's evaluation measure."),
        ],
        responses={200: LeaderboardSerializer, **problems(400, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def leaderboard(self, request, pk=None):
        from tunebench import engine

        task = self.get_object()
        by = choice_param(request.query_params, "by", ("person", "team")) or "person"
        measure = request.query_params.get("measure") or task.evaluation_measure
        known = engine.MEASURES.get(measure)
        if known is None or known.task_type != task.task_type:
            raise ValidationError(
                {"measure": [f"{measure!r} is not a measure of this task's type."]}
            )
        entries = leaderboard(viewer=request.user, task=task, measure=measure, by=by)
        body = {
            "measure": measure,
            "higher_is_better": known.higher_is_better,
            "by": by,
            "entries": entries,
        }
        return Response(LeaderboardSerializer(body, context={"by": by}).data)


class EstimationProcedureViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = EstimationProcedureSerializer
    filter_backends: list = []
    pagination_class = None  # a short fixed list

    def get_queryset(self):
        task_type = None
        if self.request.query_params.get("task_type"):
            task_type = TaskTypeField().to_internal_value(self.request.query_params["task_type"])
        return list_estimation_procedures(task_type=task_type)

    @extend_schema(
        summary="Estimation procedures (OpenML's ids)",
        parameters=[OpenApiParameter("task_type", str, enum=["classification", "regression"])],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
