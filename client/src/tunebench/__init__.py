"""Tunebench client: share and fetch verified machine-learning benchmarks from Python.

    import tunebench
    tunebench.connect("https://tunebench.example.org", api_key="tb_...")
    tunebench.whoami()
    X, y = tunebench.get_dataset(61).get_data(target="class")

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
    ServerError,
    Throttled,
    TunebenchError,
    ValidationError,
)
from tunebench.functions import (
    deactivate_dataset,
    delete_dataset,
    download_dataset,
    edit_dataset,
    get_dataset,
    get_dataset_data,
    get_dataset_features,
    get_dataset_qualities,
    list_datasets,
    list_teams,
    new_dataset_version,
    reactivate_dataset,
    upload_dataset,
    wait_for_dataset,
    whoami,
)

__all__ = [
    "AuthenticationError",
    "ChecksumMismatch",
    "Client",
    "ConfigError",
    "ConnectionFailed",
    "Dataset",
    "DatasetError",
    "DatasetFile",
    "NotFound",
    "PermissionDenied",
    "ServerError",
    "Team",
    "TeamMembership",
    "Throttled",
    "TunebenchError",
    "User",
    "ValidationError",
    "WaitTimeout",
    "__version__",
    "connect",
    "deactivate_dataset",
    "delete_dataset",
    "download_dataset",
    "edit_dataset",
    "get_dataset",
    "get_dataset_data",
    "get_dataset_features",
    "get_dataset_qualities",
    "list_datasets",
    "list_teams",
    "new_dataset_version",
    "reactivate_dataset",
    "upload_dataset",
    "wait_for_dataset",
    "whoami",
]
