"""Tunebench client: share and fetch verified machine-learning benchmarks from Python.

    import tunebench
    tunebench.connect("https://tunebench.example.org", api_key="tb_...")
    tunebench.whoami()
    X, y = tunebench.get_dataset(61).get_data(target="class")
    task = tunebench.create_task(61, target="class", wait=True)
    scores = task.evaluate(predictions)  # locally, with the engine
    run = tunebench.run_model_on_task(model, task).publish().wait()
    submission = tunebench.submit(task, "sklearn.ensemble.RandomForestClassifier",
                                  {"max_depth": 8}, seeds=[0, 1, 2]).wait()
    submission.seed_summary()  # mean, std and 95% interval across seeds, per measure

Every call exists as a `Client` method and as a module function on the default connection, which
is made from `TUNEBENCH_URL`, `TUNEBENCH_API_KEY` and the config file when `connect` was not called.
"""

from tunebench._version import __version__
from tunebench.accounts import Team, TeamMembership, User
from tunebench.client import Client, connect
from tunebench.datasets import ChecksumMismatch, Dataset, DatasetError, DatasetFile, WaitTimeout
from tunebench.exceptions import (
    AuthenticationError,
    ConfigError,
    ConnectionFailed,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    ServerError,
    Throttled,
    TunebenchError,
    ValidationError,
)
from tunebench.flows import (
    Configuration,
    Flow,
    FlowComponent,
    FlowParameter,
    FlowRef,
    flow_from_sklearn,
)
from tunebench.functions import (
    create_task,
    deactivate_dataset,
    delete_dataset,
    download_dataset,
    edit_dataset,
    flow_exists,
    get_configuration,
    get_configuration_seeds,
    get_dataset,
    get_dataset_data,
    get_dataset_features,
    get_dataset_qualities,
    get_estimator,
    get_estimator_flow,
    get_flow,
    get_leaderboard,
    get_run,
    get_task,
    list_datasets,
    list_estimation_procedures,
    list_estimators,
    list_evaluations,
    list_flows,
    list_measures,
    list_runs,
    list_tasks,
    list_teams,
    new_dataset_version,
    publish_flow,
    publish_run,
    reactivate_dataset,
    reverify_run,
    run_estimator_on_task,
    run_model_on_task,
    submit,
    upload_dataset,
    wait_for_dataset,
    wait_for_run,
    wait_for_task,
    whoami,
)
from tunebench.runs import Run, RunError
from tunebench.submissions import Submission
from tunebench.tasks import EstimationProcedure, Task, TaskDatasetRef, TaskError

__all__ = [
    "AuthenticationError",
    "ChecksumMismatch",
    "Client",
    "ConfigError",
    "Configuration",
    "ConnectionFailed",
    "Dataset",
    "DatasetError",
    "DatasetFile",
    "EstimationProcedure",
    "Flow",
    "FlowComponent",
    "FlowParameter",
    "FlowRef",
    "NotFound",
    "PermissionDenied",
    "QuotaExceeded",
    "Run",
    "RunError",
    "ServerError",
    "Submission",
    "Task",
    "TaskDatasetRef",
    "TaskError",
    "Team",
    "TeamMembership",
    "Throttled",
    "TunebenchError",
    "User",
    "ValidationError",
    "WaitTimeout",
    "__version__",
    "connect",
    "create_task",
    "deactivate_dataset",
    "delete_dataset",
    "download_dataset",
    "edit_dataset",
    "flow_exists",
    "flow_from_sklearn",
    "get_configuration",
    "get_configuration_seeds",
    "get_dataset",
    "get_dataset_data",
    "get_dataset_features",
    "get_dataset_qualities",
    "get_estimator",
    "get_estimator_flow",
    "get_flow",
    "get_leaderboard",
    "get_run",
    "get_task",
    "list_datasets",
    "list_estimation_procedures",
    "list_estimators",
    "list_evaluations",
    "list_flows",
    "list_measures",
    "list_runs",
    "list_tasks",
    "list_teams",
    "new_dataset_version",
    "publish_flow",
    "publish_run",
    "reactivate_dataset",
    "reverify_run",
    "run_estimator_on_task",
    "run_model_on_task",
    "submit",
    "upload_dataset",
    "wait_for_dataset",
    "wait_for_run",
    "wait_for_task",
    "whoami",
]
