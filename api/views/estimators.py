"""``/api/v1/estimators/``: the registry of estimators the server can execute.

Defined by the engine (``tunebench.engine.registry``): an allowlist of scikit-learn
estimators, each with its typed hyperparameter space, the parameters the server fixes and
those it never offers. Nothing here is stored in the database, and no name a client sends
is ever imported: names are looked up in the registry's dict.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api.schema import problems
from api.serializers.estimators import EstimatorSerializer
from api.serializers.flows import FlowSerializer
from api.serializers.tasks import TaskTypeField


class EstimatorViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = EstimatorSerializer
    filter_backends: list = []
    pagination_class = None  # a short fixed list
    lookup_value_regex = r"[A-Za-z0-9_.]+"

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
        return engine.list_estimators(task_type)

    @extend_schema(
        summary="Estimators the server can execute, with their hyperparameter spaces",
        parameters=[
            OpenApiParameter("task_type", str, description="1 or classification, 2 or regression.")
        ],
        responses={200: EstimatorSerializer(many=True), **problems(400)},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="One estimator of the registry",
        responses={200: EstimatorSerializer, **problems(404)},
    )
    def retrieve(self, request, pk=None):
        from tunebench import engine

        found = next((e for e in engine.list_estimators() if e["name"] == pk), None)
        if found is None:
            raise NotFound(f"No estimator {pk!r} in the registry.", code="estimator_not_found")
        return Response(EstimatorSerializer(found).data)

    @extend_schema(
        summary="The server's executable flow for this estimator",
        description=(
            "The flow (`tunebench.<estimator>`, external version `sklearn==<version>` of the "
            "server's scikit-learn) whose configurations the server executes; made on first "
            "use. Upload runs computed locally with the registry's pipeline "
            "(`tunebench.run_estimator_on_task`) against this flow, and they can be "
            "re-executed to verify them."
        ),
        responses={200: FlowSerializer, **problems(404)},
    )
    @action(detail=True, methods=["get"])
    def flow(self, request, pk=None):
        from flows.exceptions import InvalidConfiguration
        from flows.selectors import get_flow
        from flows.services import executable_flow

        try:
            found = executable_flow(pk)
        except InvalidConfiguration:
            raise NotFound(
                f"No estimator {pk!r} in the registry.", code="estimator_not_found"
            ) from None
        return Response(FlowSerializer(get_flow(flow_id=found.pk)).data)
