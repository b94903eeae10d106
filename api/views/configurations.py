"""``/api/v1/configurations/``: a flow with complete parameter values (OpenML's setups).

Values are completed with the flow's defaults and normalised to the declared types, then
deduplicated by the hash of their canonical JSON: the same values in any key order, or
``1`` for ``1.0`` on a float parameter, are the same configuration (200, not 201).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.filters import id_param
from api.schema import problems
from api.serializers.flows import ConfigurationCreateSerializer, ConfigurationSerializer
from api.serializers.runs import SeedSummarySerializer
from flows.models import Configuration
from flows.selectors import get_configuration, list_configurations
from flows.services import get_or_create_configuration
from runs.selectors import seed_summaries


class ConfigurationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ConfigurationSerializer
    filter_backends: list = []
    queryset = Configuration.objects.none()  # schema generation only

    def get_queryset(self):
        return list_configurations(
            viewer=self.request.user, flow_id=id_param(self.request.query_params, "flow")
        )

    def get_object(self):
        return get_configuration(viewer=self.request.user, configuration_id=self.kwargs["pk"])

    def get_throttles(self):
        if self.action == "create":
            self.throttle_scope = "flows"
        return super().get_throttles()

    @extend_schema(summary="List configurations", parameters=[OpenApiParameter("flow", int)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Get a configuration", responses={200: ConfigurationSerializer, **problems(404)}
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Store a configuration (or get the stored one with the same values)",
        request=ConfigurationCreateSerializer,
        responses={
            201: ConfigurationSerializer,
            200: OpenApiResponse(
                ConfigurationSerializer, description="That configuration already exists."
            ),
            **problems(400, 401, 429),
        },
    )
    def create(self, request):
        payload = ConfigurationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        configuration, created = get_or_create_configuration(**payload.validated_data, publish=True)
        return Response(
            self.get_serializer(
                get_configuration(viewer=request.user, configuration_id=configuration.pk)
            ).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="The configuration across seeds: mean, std and 95% interval per task",
        description=(
            "Over its verified runs (executed by the server, scored) that you can see, one per "
            "seed; per task and measure: the number of seeds, mean, sample std and the 95% "
            "t-interval of the mean (null below two seeds)."
        ),
        parameters=[OpenApiParameter("task", int, description="Only this task.")],
        responses={200: SeedSummarySerializer(many=True), **problems(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def seeds(self, request, pk=None):
        configuration = self.get_object()
        summaries = seed_summaries(
            viewer=request.user,
            configuration_ids=[configuration.pk],
            task_id=id_param(request.query_params, "task"),
        )
        return Response(SeedSummarySerializer(summaries, many=True).data)
