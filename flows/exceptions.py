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
