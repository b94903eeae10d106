"""Serializers for the signed-in user, teams, memberships and API keys."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from accounts.exceptions import TeamNotFound
from accounts.models import ApiKey, Membership, Team, User
from accounts.selectors import get_team
from api.filters import MAX_ID
from api.serializers.base import InputSerializer


class UserTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="team.id", read_only=True)
    slug = serializers.CharField(source="team.slug", read_only=True)
    name = serializers.CharField(source="team.name", read_only=True)
    role = serializers.CharField(read_only=True)


class MeSerializer(serializers.ModelSerializer):
    teams = UserTeamSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "email", "date_joined", "teams"]
        read_only_fields = fields


class TeamSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "slug", "name", "description", "member_count", "created_at"]
        read_only_fields = fields


class TeamCreateSerializer(InputSerializer):
    name = serializers.CharField(max_length=100, help_text="Shown on leaderboards.")
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


class TeamUpdateSerializer(InputSerializer):
    name = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class TeamRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "slug", "name"]
        read_only_fields = fields


class UserRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    team = TeamRefSerializer(read_only=True)
    user = UserRefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "team", "user", "role", "joined_at"]
        read_only_fields = fields


class MembershipCreateSerializer(InputSerializer):
    team_id = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The team to add the user to."
    )
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.MEMBER)

    def validate(self, attrs):
        # A reference in the body that does not resolve is a field error (400), not a 404.
        try:
            attrs["team"] = get_team(team_id=attrs.pop("team_id"))
        except TeamNotFound as exc:
            raise serializers.ValidationError(
                {"team_id": [ErrorDetail(exc.detail, code=exc.code)]}
            ) from None
        return attrs


class MembershipUpdateSerializer(InputSerializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class ApiKeySerializer(serializers.ModelSerializer):
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "is_active"]
        read_only_fields = fields


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(
        read_only=True,
        help_text="The key itself. Shown in this response only; store it now.",
    )

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiKeyCreateSerializer(InputSerializer):
    name = serializers.CharField(max_length=100, help_text="What the key is for, e.g. 'laptop'.")
