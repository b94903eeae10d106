"""People, the teams they publish with, and the API keys programs use on their behalf."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower


class CaseInsensitiveUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Usernames are unique regardless of case, so signing in as "ada" finds "Ada".
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """A person with an account. Custom from the first migration so fields can be added later."""

    objects = CaseInsensitiveUserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # Case-insensitive on every database: "Ada" and "ada" are one person. (MySQL's
            # collation already compares so; SQLite does not.)
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci",
                violation_error_message="That username is taken.",
            ),
        ]


class Team(models.Model):
    """People who publish runs together; leaderboards rank teams and people."""

    name = models.CharField(max_length=100)
    # Unicode letters are kept ("Команда" → "команда"), so any script can name a team.
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    description = models.TextField(blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="accounts_membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "member"]), name="accounts_membership_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


class ApiKey(models.Model):
    """A named, revocable key. Only a prefix (to find it) and a SHA-256 (to check it) are kept.

    The key is 256 random bits, so a fast hash is enough (a slow password hash defends
    guessable secrets, which these are not) and lets every API request be checked cheaply.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="accounts_apikey_user_active")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
