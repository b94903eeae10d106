"""Domain errors of tasks."""

from config.errors import DomainError, NotFound


class TaskNotFound(NotFound):
    code = "task_not_found"
    title = "Task not found."


class InvalidTaskDefinition(DomainError):
    """A task that cannot be defined on this dataset; ``field`` says which input."""

    code = "invalid_task"
    title = "This task cannot be defined."

    def __init__(self, detail: str, *, code: str, field: str) -> None:
        super().__init__(detail, field=field)
        self.code = code


class TaskSplitsMissing(NotFound):
    code = "task_splits_missing"
    title = "The task's splits are not ready (is the task active?)."
