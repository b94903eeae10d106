"""Writes for accounts, teams, memberships and API keys.

Every rule about who may do what to a team lives here, so the API, the website and the
management commands enforce the same ones. Each service runs in one transaction and
either does all of its work or none of it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.exceptions import (
    AlreadyMember,
    InactiveUser,
    InvalidApiKey,
    InvalidPassword,
    InvalidRole,
    InvalidTeamName,
    LastOwner,
    NotTeamOwner,
    RevokedApiKey,
    TeamHasData,
    TeamNameTaken,
    UnknownUser,
    UsernameTaken,
)
from accounts.models import ApiKey, Membership, Team, User
from accounts.selectors import is_team_owner

logger = logging.getLogger(__name__)

API_KEY_PREFIX = "tb"
# Recording every request's use would turn each read into a write; a minute's precision is
# what a person checking "is this key still used?" needs.
LAST_USED_RESOLUTION = timedelta(minutes=1)


# --- Users ------------------------------------------------------------------------------


@transaction.atomic
def register_user(*, username: str, password: str, email: str = "") -> User:
    """Create an active user. Usernames are unique regardless of case."""
    # The same NFKC normalisation AbstractUser.clean() applies, before the uniqueness check,
    # so "ADA" typed in fullwidth letters meets "ada" here, not at the database constraint.
    username = User.normalize_username(username)
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTaken(field="username")
    user = User(username=username, email=email)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise InvalidPassword(" ".join(exc.messages), field="password") from None
    user.set_password(password)
    user.full_clean()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a concurrent sign-up took the name between check and insert
        raise UsernameTaken(field="username") from None
    logger.info("user registered id=%s", user.pk)
    return user


def get_user_by_username(*, username: str) -> User:
    try:
        return User.objects.get(username__iexact=username, is_active=True)
    except User.DoesNotExist:
        raise UnknownUser(field="username") from None


# --- Teams ------------------------------------------------------------------------------


def _require_owner(*, team: Team, actor: User) -> None:
    if not is_team_owner(team=team, user=actor):
        raise NotTeamOwner()


def _team_slug(name: str) -> str:
    slug = slugify(name, allow_unicode=True)[:100].strip("-_")
    if not slug:
        raise InvalidTeamName(field="name")
    return slug


@transaction.atomic
def create_team(*, creator: User, name: str, description: str = "") -> Team:
    """Create a team whose creator is its first owner."""
    name = name.strip()
    team = Team(name=name, slug=_team_slug(name), description=description, created_by=creator)
    team.full_clean(exclude=["slug"])
    if Team.objects.filter(slug=team.slug).exists():
        raise TeamNameTaken.for_slug(team.slug)
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:
        raise TeamNameTaken.for_slug(team.slug) from None
    Membership.objects.create(team=team, user=creator, role=Membership.Role.OWNER)
    logger.info("team created id=%s by user=%s", team.pk, creator.pk)
    return team


@transaction.atomic
def update_team(
    *, team: Team, actor: User, name: str | None = None, description: str | None = None
) -> Team:
    """Rename a team or change its description. Owners only; the slug follows the name."""
    _require_owner(team=team, actor=actor)
    if name is not None:
        name = name.strip()
        slug = _team_slug(name)
        if Team.objects.filter(slug=slug).exclude(pk=team.pk).exists():
            raise TeamNameTaken.for_slug(slug)
        team.name, team.slug = name, slug
    if description is not None:
        team.description = description
    team.full_clean(exclude=["slug"])
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:
        raise TeamNameTaken.for_slug(team.slug) from None
    return team


@transaction.atomic
def delete_team(*, team: Team, actor: User) -> None:
    """Delete a team and its memberships. Owners only."""
    _require_owner(team=team, actor=actor)
    if team.datasets.exists() or team.runs.exists():
        raise TeamHasData()
    logger.info("team deleted id=%s by user=%s", team.pk, actor.pk)
    team.delete()


@transaction.atomic
def add_member(
    *, team: Team, actor: User, username: str, role: str = Membership.Role.MEMBER
) -> Membership:
    """Add an existing user to a team. Owners only."""
    _require_owner(team=team, actor=actor)
    if role not in Membership.Role.values:
        raise InvalidRole(field="role")
    user = get_user_by_username(username=username)
    if Membership.objects.filter(team=team, user=user).exists():
        raise AlreadyMember(field="username")
    membership = Membership(team=team, user=user, role=role)
    membership.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise AlreadyMember(field="username") from None
    return membership


def _owner_count(team: Team) -> int:
    # Lock the team's owner rows so two owners cannot both step down at the same time
    # (MySQL; SQLite's IMMEDIATE transactions already serialise writers).
    return len(
        Membership.objects.select_for_update()
        .filter(team=team, role=Membership.Role.OWNER)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def change_role(*, membership: Membership, actor: User, role: str) -> Membership:
    """Make a member an owner or an owner a member. Owners only; a team keeps one owner."""
    _require_owner(team=membership.team, actor=actor)
    if role not in Membership.Role.values:
        raise InvalidRole(field="role")
    if (
        membership.role == Membership.Role.OWNER
        and role != Membership.Role.OWNER
        and _owner_count(membership.team) <= 1
    ):
        raise LastOwner(field="role")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, actor: User) -> None:
    """Remove a member. An owner may remove anyone; anyone may remove themselves (leave).

    The last owner can neither leave nor be removed: the team would be left unmanaged.
    """
    if membership.user_id != actor.pk:
        _require_owner(team=membership.team, actor=actor)
    if membership.role == Membership.Role.OWNER and _owner_count(membership.team) <= 1:
        raise LastOwner()
    membership.delete()


# --- API keys ---------------------------------------------------------------------------


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_api_key(*, user: User, name: str) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is never stored or shown again."""
    while True:
        prefix = secrets.token_hex(5)  # 10 lowercase hex characters, no underscore
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    raw = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey(user=user, name=name.strip(), prefix=prefix, key_hash=_hash_key(raw))
    api_key.full_clean()
    api_key.save()
    logger.info("api key created id=%s prefix=%s user=%s", api_key.pk, prefix, user.pk)
    return api_key, raw


@transaction.atomic
def revoke_api_key(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key. Idempotent: revoking a revoked key keeps its first revocation time."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        logger.info("api key revoked id=%s", api_key.pk)
    return api_key


def authenticate_api_key(*, raw: str) -> ApiKey:
    """Find the active key matching ``raw`` and record its use, or raise InvalidApiKey."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or not parts[1] or not parts[2]:
        raise InvalidApiKey("Malformed API key: keys look like tb_<prefix>_<secret>.")
    api_key = ApiKey.objects.select_related("user").filter(prefix=parts[1]).first()
    # Compare in constant time, and say "revoked" only to someone holding the whole key.
    if api_key is None or not hmac.compare_digest(api_key.key_hash, _hash_key(raw)):
        raise InvalidApiKey()
    if api_key.revoked_at is not None:
        raise RevokedApiKey()
    if not api_key.user.is_active:
        raise InactiveUser()
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
