"""Domain errors of accounts, teams and API keys (rendered by api/errors.py)."""

from config.errors import Conflict, DomainError, NotFound, PermissionDenied


class UsernameTaken(Conflict):
    code = "username_taken"
    title = "That username is taken."


class InvalidPassword(DomainError):
    code = "invalid_password"
    title = "The password is not acceptable."


class InvalidRole(DomainError):
    code = "invalid_role"
    title = "The role must be owner or member."


class UnknownUser(DomainError):
    code = "unknown_user"
    title = "There is no user with that username."


class TeamNotFound(NotFound):
    code = "team_not_found"
    title = "Team not found."


class TeamNameTaken(Conflict):
    code = "team_name_taken"
    title = "A team with that name already exists."

    @classmethod
    def for_slug(cls, slug: str) -> "TeamNameTaken":
        # Different names can share an address ("C++ Lab" and "C Lab" are both c-lab).
        return cls(
            f"A team with that name, or with the same address /teams/{slug}/, exists.", field="name"
        )


class InvalidTeamName(DomainError):
    code = "invalid_team_name"
    title = "A team name needs at least one letter or digit (in any script)."


class TeamHasData(Conflict):
    code = "team_has_data"
    title = "Datasets or runs belong to this team; delete or move them first."


class NotTeamOwner(PermissionDenied):
    code = "not_team_owner"
    title = "Only an owner of the team can do this."


class MembershipNotFound(NotFound):
    code = "membership_not_found"
    title = "Membership not found."


class AlreadyMember(Conflict):
    code = "already_member"
    title = "That user is already a member of the team."


class LastOwner(Conflict):
    code = "last_owner"
    title = "A team needs at least one owner: make another member an owner first."


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"
    title = "API key not found."


class InvalidApiKey(DomainError):
    """Raised while authenticating; the authentication class turns it into a 401."""

    status_code = 401
    code = "invalid_api_key"
    title = "Invalid API key."


class RevokedApiKey(InvalidApiKey):
    code = "revoked_api_key"
    title = "This API key has been revoked."


class InactiveUser(InvalidApiKey):
    code = "user_inactive"
    title = "This account is deactivated."
