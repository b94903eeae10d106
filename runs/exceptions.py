"""Domain errors of runs."""

from config.errors import DomainError, NotFound, PermissionDenied
from flows.exceptions import InvalidConfiguration  # noqa: F401  (raised by runs.execution)


class RunNotFound(NotFound):
    code = "run_not_found"
    title = "Run not found."


class InvalidRun(DomainError):
    """A run we refuse before storing anything; ``field`` names the input."""

    code = "invalid_run"
    title = "The run cannot be accepted."

    def __init__(self, detail: str, *, code: str, field: str) -> None:
        super().__init__(detail, field=field)
        self.code = code


class InvalidPredictions(DomainError):
    """The predictions do not fit the task; ``code`` is the first problem's (the engine's
    codes), and the problem document lists the first problems with their rows."""

    code = "invalid_predictions"
    title = "The predictions do not fit the task's splits."

    def __init__(self, detail: str, *, code: str, problems=(), counts=None) -> None:
        super().__init__(
            detail,
            field="predictions",
            extensions={"problems": list(problems), "counts": dict(counts or {})},
        )
        self.code = code


class NotATeamMember(PermissionDenied):
    code = "not_team_member"
    title = "Only members of a team can publish runs for it."


class QuotaExceeded(DomainError):
    status_code = 429
    code = "quota_exceeded"
    title = "The daily quota of server runs is used up."


class NotExecutable(DomainError):
    code = "not_executable"
    title = "This run cannot be executed by the server."

    def __init__(self, detail: str, *, code: str = "not_executable", field: str = "run") -> None:
        super().__init__(detail, field=field)
        self.code = code
