"""``/api/v1/api-keys/``: your own API keys. The plaintext is in the creation response only."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts import services
from accounts.models import ApiKey
from accounts.selectors import get_api_key, list_api_keys
from api.schema import problems
from api.serializers.accounts import (
    ApiKeyCreatedSerializer,
    ApiKeyCreateSerializer,
    ApiKeySerializer,
)


@extend_schema_view(
    list=extend_schema(summary="List your API keys", responses={200: ApiKeySerializer(many=True)}),
    retrieve=extend_schema(
        summary="Get one of your API keys", responses={200: ApiKeySerializer, **problems(401, 404)}
    ),
)
class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = ApiKeySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ApiKey.objects.none()
        return list_api_keys(user=self.request.user)

    def get_object(self):
        # Someone else's key is reported as not existing (404, not 403).
        return get_api_key(user=self.request.user, key_id=self.kwargs["pk"])

    def get_throttles(self):
        if self.action == "create":
            self.throttle_scope = "api_keys"
        return super().get_throttles()

    @extend_schema(
        summary="Create an API key (the key is shown once, in this response)",
        request=ApiKeyCreateSerializer,
        responses={201: ApiKeyCreatedSerializer, **problems(400, 401, 429)},
    )
    def create(self, request):
        payload = ApiKeyCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        api_key, raw = services.create_api_key(user=request.user, **payload.validated_data)
        api_key.key = raw
        return Response(ApiKeyCreatedSerializer(api_key).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revoke an API key (it stays listed, marked revoked)",
        responses={204: None, **problems(401, 404)},
    )
    def destroy(self, request, pk=None):
        services.revoke_api_key(api_key=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
