"""``/api/v1/me/``: who the API key (or session) belongs to."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.selectors import user_with_teams
from api.schema import problems
from api.serializers.accounts import MeSerializer


class MeView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer

    @extend_schema(responses={200: MeSerializer, **problems(401)}, operation_id="me_retrieve")
    def get(self, request):
        return Response(self.get_serializer(user_with_teams(user_id=request.user.pk)).data)
