"""``/api/v1/health/``: is the database up, and has a worker been seen on every queue?"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers.health import HealthSerializer
from health.selectors import database_is_up, queue_statuses


class HealthView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        summary="Platform health",
        responses={
            200: HealthSerializer,
            503: OpenApiResponse(HealthSerializer, description="The database is unreachable."),
        },
    )
    def get(self, request):
        if not database_is_up():
            body = {"status": "down", "database": False, "queues": []}
            return Response(HealthSerializer(body).data, status=503)
        queues = queue_statuses()
        body = {
            "status": "ok" if all(q.is_online for q in queues) else "degraded",
            "database": True,
            "queues": queues,
        }
        return Response(HealthSerializer(body).data)
