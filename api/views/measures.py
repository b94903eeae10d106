"""``/api/v1/measures/``: the evaluation measures the server computes for every run.

The engine defines them (``tunebench.engine.MEASURES``), the same list the client scores
with locally; nothing here is stored in the database.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError

from api.schema import problems
from api.serializers.runs import MeasureSerializer
from api.serializers.tasks import TaskTypeField


class MeasureViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MeasureSerializer
    filter_backends: list = []
    pagination_class = None  # a short fixed list

    def get_queryset(self):
        from tunebench import engine

        task_type = None
        if self.request.query_params.get("task_type"):
            try:
                task_type = TaskTypeField().to_internal_value(
                    self.request.query_params["task_type"]
                )
            except ValidationError as exc:
                raise ValidationError({"task_type": exc.detail}) from None
        return [m for m in engine.MEASURES.values() if task_type in (None, m.task_type)]

    @extend_schema(
        summary="Evaluation measures (OpenML's names)",
        parameters=[
            OpenApiParameter("task_type", str, description="1 or classification, 2 or regression.")
        ],
        responses={200: MeasureSerializer(many=True), **problems(400)},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
