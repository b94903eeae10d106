"""``/api/v1/teams/``: public team listing; owners rename and delete their teams."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from accounts import services
from accounts.models import Team
from accounts.selectors import get_team, list_teams
from api.schema import problems
from api.serializers.accounts import TeamCreateSerializer, TeamSerializer, TeamUpdateSerializer


class TeamFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", help_text="Part of the name.")
    member = django_filters.CharFilter(
        field_name="memberships__user__username",
        lookup_expr="iexact",
        help_text="Only teams this username belongs to.",
    )

    class Meta:
        model = Team
        fields = ["name", "member"]


@extend_schema_view(
    list=extend_schema(summary="List teams"),
    retrieve=extend_schema(summary="Get a team", responses={200: TeamSerializer, **problems(404)}),
)
class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet

    def get_queryset(self):
        return list_teams()

    def get_object(self):
        return get_team(team_id=self.kwargs["pk"])

    def get_throttles(self):
        if self.action == "create":
            self.throttle_scope = "teams"
        return super().get_throttles()

    @extend_schema(
        summary="Create a team (you become its owner)",
        request=TeamCreateSerializer,
        responses={201: TeamSerializer, **problems(400, 401, 409, 429)},
    )
    def create(self, request):
        payload = TeamCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        team = services.create_team(creator=request.user, **payload.validated_data)
        return Response(
            self.get_serializer(get_team(team_id=team.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Rename a team or change its description (owners)",
        request=TeamUpdateSerializer,
        responses={200: TeamSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def partial_update(self, request, pk=None):
        team = self.get_object()
        payload = TeamUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.update_team(team=team, actor=request.user, **payload.validated_data)
        return Response(self.get_serializer(get_team(team_id=team.pk)).data)

    @extend_schema(
        summary="Delete a team (owners)", responses={204: None, **problems(401, 403, 404)}
    )
    def destroy(self, request, pk=None):
        services.delete_team(team=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
