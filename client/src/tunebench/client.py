"""`Client`, the object `tunebench.connect` returns, and the default connection.

`Client` is `APIClient` (HTTP) plus one mixin per resource module: a new resource adds a module
with an `<Resource>API(APIClient)` mixin, lists it in `Client`'s bases, and adds its module-level
functions to `functions.py`. The module-level functions run on the default connection: the client
the last `connect()` returned, or, if `connect` was never called, one made from the environment
and config file on first use (as openml-python does).
"""

from __future__ import annotations

from tunebench import config
from tunebench.accounts import AccountsAPI
from tunebench.datasets import DatasetsAPI
from tunebench.estimators import EstimatorsAPI
from tunebench.flows import FlowsAPI
from tunebench.runs import RunsAPI
from tunebench.submissions import SubmissionsAPI
from tunebench.tasks import TasksAPI


class Client(AccountsAPI, DatasetsAPI, TasksAPI, FlowsAPI, RunsAPI, SubmissionsAPI, EstimatorsAPI):
    """A connection to one Tunebench server: `Client(url, api_key)` or `tunebench.connect()`."""


_default: Client | None = None


def connect(
    url: str | None = None, api_key: str | None = None, *, timeout: float | None = 30
) -> Client:
    """Connect to a server and make the client the default connection.

    Unset arguments come from `TUNEBENCH_URL` / `TUNEBENCH_API_KEY`, then the config file, then
    the default URL (see `tunebench.config`). Nothing is sent until the first call.
    """
    global _default  # the default connection is process-wide state by design, like openml's config
    settings = config.resolve(url=url, api_key=api_key)
    _default = Client(settings.url, settings.api_key, timeout=timeout)
    return _default


def default_client() -> Client:
    """The default connection, connecting from the environment and config file if needed."""
    return _default if _default is not None else connect()
