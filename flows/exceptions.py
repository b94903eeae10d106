"""Domain errors of flows and configurations."""

from config.errors import Conflict, DomainError, NotFound


class FlowNotFound(NotFound):
    code = "flow_not_found"
    title = "Flow not found."


class ConfigurationNotFound(NotFound):
    code = "configuration_not_found"
    title = "Configuration not found."


class InvalidFlow(DomainError):
    """A flow description we cannot store; ``field`` is the path of the bad input."""

    code = "invalid_flow"
    title = "The flow description is not valid."

    def __init__(self, detail: str, *, code: str = "invalid_flow", field: str) -> None:
        super().__init__(detail, field=field)
        self.code = code


class FlowConflict(Conflict):
    code = "flow_conflict"
    title = "A flow with this name and external version exists with another definition."


class InvalidParameters(DomainError):
    """Parameter values the flow does not declare, or of the wrong type."""

    code = "invalid_parameters"
    title = "The parameter values do not fit the flow."

    def __init__(self, detail: str, *, code: str, field: str) -> None:
        super().__init__(detail, field=field)
        self.code = code


class InvalidConfiguration(DomainError):
    """A submission the registry refuses: every problem found, under ``errors`` by field
    (``estimator``, ``parameters.<name>``, ``seeds.<i>``), the first one's code as ``code``."""

    code = "invalid_configuration"
    title = "The configuration cannot be executed."

    def __init__(self, problems: list[dict[str, str]], *, total: int | None = None) -> None:
        first = problems[0]
        errors: dict[str, list[dict[str, str]]] = {}
        for problem in problems:
            errors.setdefault(problem["field"], []).append(
                {"code": problem["code"], "message": problem["message"]}
            )
        more = len(problems) - 1 if total is None else total - 1
        suffix = f" (and {more} more)" if more > 0 else ""
        super().__init__(
            f"{first['field']}: {first['message']}{suffix}",
            field=first["field"],
            errors=errors,
            extensions={"total": total if total is not None else len(problems)},
        )
        self.code = first["code"]
