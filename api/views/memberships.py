"""``/api/v1/memberships/``: who is in which team. Owners add, promote and remove members;
anyone removes their own membership to leave a team."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from accounts import services
from accounts.models import Membership
from accounts.selectors import get_membership, list_memberships
from api.filters import IdFilter
from api.schema import problems
from api.serializers.accounts import (
    MembershipCreateSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
)


class MembershipFilterSet(django_filters.FilterSet):
    team = IdFilter(field_name="team_id", help_text="Team id.")
    user = django_filters.CharFilter(
        field_name="user__username", lookup_expr="iexact", help_text="Username."
    )
    role = django_filters.ChoiceFilter(choices=Membership.Role.choices)

    class Meta:
        model = Membership
        fields = ["team", "user", "role"]


@extend_schema_view(
    list=extend_schema(summary="List memberships"),
    retrieve=extend_schema(
        summary="Get a membership", responses={200: MembershipSerializer, **problems(404)}
    ),
)
class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet

    def get_queryset(self):
        return list_memberships()

    def get_object(self):
        return get_membership(membership_id=self.kwargs["pk"])

    @extend_schema(
        summary="Add a user to a team (owners)",
        request=MembershipCreateSerializer,
        responses={201: MembershipSerializer, **problems(400, 401, 403, 409)},
    )
    def create(self, request):
        payload = MembershipCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        membership = services.add_member(
            team=data["team"], actor=request.user, username=data["username"], role=data["role"]
        )
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a member's role (owners)",
        request=MembershipUpdateSerializer,
        responses={200: MembershipSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def partial_update(self, request, pk=None):
        membership = self.get_object()
        payload = MembershipUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.change_role(
            membership=membership, actor=request.user, role=payload.validated_data["role"]
        )
        return Response(self.get_serializer(membership).data)

    @extend_schema(
        summary="Remove a member (owners), or leave a team (your own membership)",
        responses={204: None, **problems(401, 403, 404, 409)},
    )
    def destroy(self, request, pk=None):
        services.remove_member(membership=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
