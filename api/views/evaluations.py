"""``/api/v1/evaluations/``: the aggregated evaluations of scored runs, one row per
(run, measure), ordered by run then measure. Only runs the caller may see are listed."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError

from api.filters import id_param
from api.schema import problems
from api.serializers.runs import EvaluationSerializer
from runs.models import Evaluation
from runs.selectors import list_evaluations


def measure_param(params, name: str = "measure") -> str | None:
    """An optional measure name, or a 400 naming the parameter (a typo finds nothing)."""
    from tunebench import engine

    measure = params.get(name)
    if not measure:
        return None
    if measure not in engine.MEASURES:
        raise ValidationError({name: [f"Unknown measure {measure!r}; see /api/v1/measures/."]})
    return measure


class EvaluationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = EvaluationSerializer
    filter_backends: list = []
    queryset = Evaluation.objects.none()  # schema generation only

    def get_queryset(self):
        params = self.request.query_params
        return list_evaluations(
            viewer=self.request.user,
            task_id=id_param(params, "task"),
            measure=measure_param(params),
            flow_id=id_param(params, "flow"),
            configuration_id=id_param(params, "configuration"),
            run_id=id_param(params, "run"),
            uploader=params.get("uploader") or None,
            team_id=id_param(params, "team"),
        )

    @extend_schema(
        summary="List evaluations of scored runs",
        parameters=[
            OpenApiParameter("task", int),
            OpenApiParameter("measure", str, description="A name from /measures/."),
            OpenApiParameter("flow", int),
            OpenApiParameter("configuration", int),
            OpenApiParameter("run", int),
            OpenApiParameter("uploader", str, description="Username."),
            OpenApiParameter("team", int, description="Team id."),
        ],
        responses={200: EvaluationSerializer(many=True), **problems(400)},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
