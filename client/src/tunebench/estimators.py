"""The server's registry of executable estimators: what it can train under a task's fixed splits.

Each entry is a scikit-learn estimator the server allows, with its typed hyperparameter space
(`kind` int / float / categorical / bool, inclusive `low`/`high`, `log` scale, `choices`,
`default`, `nullable`, and a `condition` saying when it applies), the parameters the server fixes
(`n_jobs=1`, ...), those it never offers and why, and `seeded` (its `random_state` is the run's
seed). The same registry lives in `tunebench.engine.registry`, so
`tunebench.engine.validate_parameters(name, params)` checks a configuration locally exactly as
the server will.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from tunebench._parsing import parse_response
from tunebench.api import APIClient
from tunebench.exceptions import TunebenchError
from tunebench.flows import Flow
from tunebench.tasks import TASK_TYPES, _task_type


class EstimatorsAPI(APIClient):
    def list_estimators(self, task_type: str | int | None = None) -> list[dict[str, Any]]:
        """Every estimator the server can execute (for a task type: 1/"classification",
        2/"regression"), each with its hyperparameter space, as the API returns them."""
        params = {} if task_type is None else {"task_type": TASK_TYPES[_task_type(task_type)]}
        body = self.get("estimators/", params=params)
        if not isinstance(body, list):
            raise TunebenchError(
                "Expected a list from /api/v1/estimators/.", code="invalid_response"
            )
        return body

    def get_estimator(self, name: str) -> dict[str, Any]:
        """One registry entry by its name (e.g. `sklearn.ensemble.RandomForestClassifier`);
        a name outside the registry raises the client's not-found error."""
        if not isinstance(name, str) or not name.replace(".", "").replace("_", "").isalnum():
            raise ValueError(f"{name!r} is not an estimator name.")
        return self.get(f"estimators/{name}/")

    def get_estimator_flow(self, name: str) -> Flow:
        """The server's executable flow for a registry estimator (`tunebench.<name>`, external
        version `sklearn==<the server's version>`): the flow a run made locally with
        `run_estimator_on_task` is published against, so the server can re-execute it."""
        if not isinstance(name, str) or not name.replace(".", "").replace("_", "").isalnum():
            raise ValueError(f"{name!r} is not an estimator name.")
        path = f"estimators/{name}/flow/"
        return parse_response(partial(Flow.from_json, client=self), self.get(path), path)
