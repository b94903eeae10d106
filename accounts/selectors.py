"""Read queries for people, teams, memberships and keys, shared by the API and the website.

Teams and their member lists are public (they appear on leaderboards); API keys are only
ever listed for their owner.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from accounts.exceptions import ApiKeyNotFound, MembershipNotFound, TeamNotFound
from accounts.models import ApiKey, Membership, Team, User


def list_teams(*, member: User | None = None) -> QuerySet[Team]:
    teams = Team.objects.annotate(member_count=Count("memberships"))
    if member is not None:
        teams = teams.filter(memberships__user=member)
    return teams.order_by("name", "id")


def get_team(*, team_id: int | None = None, slug: str | None = None) -> Team:
    lookup = {"pk": team_id} if team_id is not None else {"slug": slug}
    try:
        return list_teams().get(**lookup)
    except (Team.DoesNotExist, ValueError, TypeError):
        raise TeamNotFound() from None


def list_memberships(*, team: Team | None = None, user: User | None = None) -> QuerySet[Membership]:
    memberships = Membership.objects.select_related("team", "user")
    if team is not None:
        memberships = memberships.filter(team=team)
    if user is not None:
        memberships = memberships.filter(user=user)
    # Owners first, then by joining order: the order a team page shows.
    return memberships.order_by("team__name", "team_id", "-role", "joined_at", "id")


def get_membership(*, membership_id: int) -> Membership:
    try:
        return list_memberships().get(pk=membership_id)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise MembershipNotFound() from None


def membership_for_user(*, team: Team, user: User) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(team=team, user=user).first()


def is_team_owner(*, team: Team, user: User) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(team=team, user=user, role=Membership.Role.OWNER).exists()
    )


def user_with_teams(*, user_id: int) -> User:
    memberships = Membership.objects.select_related("team").order_by("team__name", "team_id")
    return User.objects.prefetch_related(Prefetch("memberships", queryset=memberships)).get(
        pk=user_id
    )


def list_api_keys(*, user: User) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(user=user).order_by("-created_at", "-id")


def get_api_key(*, user: User, key_id: int) -> ApiKey:
    """One of the user's own keys; anybody else's is reported as not existing."""
    try:
        return list_api_keys(user=user).get(pk=key_id)
    except (ApiKey.DoesNotExist, ValueError, TypeError):
        raise ApiKeyNotFound() from None


def count_users() -> int:
    return User.objects.filter(is_active=True).count()


def count_teams() -> int:
    return Team.objects.count()
