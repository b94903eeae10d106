"""``/api/v1/flows/``: publish a flow (idempotent), look one up by name and version, list.

Flows are public, as on OpenML. Publishing the same description twice returns the stored
flow (200) instead of a second one (201); another definition under a stored
(name, external_version) is a 409 ``flow_conflict``.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.response import Response

from api.schema import problems
from api.serializers.flows import FlowCreateSerializer, FlowIdSerializer, FlowSerializer
from flows.exceptions import FlowNotFound
from flows.models import Flow
from flows.selectors import find_flow, get_flow, list_flows
from flows.services import create_flow


class FlowViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = FlowSerializer
    filter_backends: list = []
    queryset = Flow.objects.none()  # schema generation only

    def get_queryset(self):
        params = self.request.query_params
        return list_flows(
            name=params.get("name") or None,
            external_version=params.get("external_version") or None,
            uploader=params.get("uploader") or None,
            tag=params.get("tag") or None,
        ).prefetch_related("parameters", "components__flow")

    def get_object(self):
        return get_flow(flow_id=self.kwargs["pk"])

    def get_throttles(self):
        if self.action == "create":
            self.throttle_scope = "flows"
        return super().get_throttles()

    @extend_schema(
        summary="List flows",
        parameters=[
            OpenApiParameter("name", str, description="Part of the name, any case."),
            OpenApiParameter("external_version", str, description="Exact, e.g. sklearn==1.5.2."),
            OpenApiParameter("uploader", str, description="Username."),
            OpenApiParameter("tag", str, description="Exact tag."),
        ],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Get a flow", responses={200: FlowSerializer, **problems(404)})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Publish a flow (or get the stored one with the same definition)",
        description=(
            "Components are flows of the same shape, stored (or found) first. The server "
            "numbers versions per name, 1, 2, ... in the order new external versions arrive."
        ),
        request=FlowCreateSerializer,
        responses={
            201: FlowSerializer,
            200: OpenApiResponse(FlowSerializer, description="That flow already exists."),
            **problems(400, 401, 409, 429),
        },
    )
    def create(self, request):
        payload = FlowCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        flow, created = create_flow(uploader=request.user, spec=payload.validated_data)
        return Response(
            self.get_serializer(get_flow(flow_id=flow.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="The id of the flow with this name and external version",
        parameters=[
            OpenApiParameter("name", str, required=True, description="Exact name."),
            OpenApiParameter("external_version", str, required=True),
        ],
        responses={200: FlowIdSerializer, **problems(400, 404)},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def exists(self, request):
        params = request.query_params
        missing = {
            name: [ErrorDetail("This parameter is required.", code="required")]
            for name in ("name", "external_version")
            if not params.get(name)
        }
        if missing:
            raise ValidationError(missing)
        flow = find_flow(name=params["name"], external_version=params["external_version"])
        if flow is None:
            raise FlowNotFound(
                f"No flow {params['name']!r} with external version {params['external_version']!r}."
            )
        return Response(FlowIdSerializer(flow).data)
