"""Submissions: let the server execute a registry configuration on a task, one run per seed.

`submit(task, estimator, parameters, seeds=...)` sends a configuration of one of the server's
executable estimators (`list_estimators()`) to `POST /api/v1/submissions/`. The server is the
authority on what it can execute (its registry and scikit-learn version may differ from the
local engine's), so nothing is checked locally: a configuration it refuses raises
`ValidationError` with every problem under `errors` (`estimator`, `parameters.<name>`,
`seeds.<i>`), a used-up daily quota `QuotaExceeded`. The answer is a `Submission`: the server's
executable flow, the configuration (its complete values), one `Run` per seed (a seed that had a
run already is not run again: `reused`), and the quota. The runs wait in the server's fair queue
(`Run.queue_position`), are executed in its sandbox and scored like uploads, and are `verified`.

`Submission.wait()` follows every run until it is done or failed, `seed_summary()` reads the
configuration's results across seeds (`get_configuration_seeds`: mean, std and the 95%
t-interval of the mean per measure). `SubmissionsAPI` adds the calls to `tunebench.Client`.
"""

from __future__ import annotations

import numbers
import operator
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from tunebench._parsing import parse_response
from tunebench.api import APIClient
from tunebench.datasets import WaitTimeout, _names, _progress_bar, _team_id
from tunebench.flows import FlowRef
from tunebench.runs import Run, _json_field
from tunebench.tasks import Task, _id_of

if TYPE_CHECKING:
    import pandas as pd

    from tunebench.client import Client

FINISHED = ("done", "failed")
SEED_COLUMNS = (
    "task",
    "configuration",
    "measure",
    "n",
    "mean",
    "std",
    "low",
    "high",
    "seeds",
    "runs",
)
SUMMARY_COLUMNS = ("measure", "n", "mean", "std", "low", "high")
# how the wait bar words each status, in the order it lists them
_STATE_WORDS = (
    ("queued", "waiting"),
    ("running", "running"),
    ("scoring", "scoring"),
    ("done", "done"),
    ("failed", "failed"),
)


@dataclass(eq=False)
class Submission:
    """A configuration the server executes on a task, as `POST /api/v1/submissions/` answered.

    `flow` is the server's executable flow for the estimator (`tunebench.<estimator>`, one
    version per scikit-learn version), `configuration_id` and `parameters` the configuration
    (every hyperparameter, defaults filled in), `runs` one `Run` per seed in the order the
    seeds were given, `reused[i]` True when `runs[i]` existed before this submission (that
    seed is not run again), and `quota` the daily quota of server runs after it: `{"used",
    "limit", "remaining"}`. `wait()` and `refresh()` update the runs in place. `client` is the
    connection (the default connection when None); it is left out of `repr`.
    """

    task_id: int
    flow: FlowRef
    configuration_id: int
    parameters: dict[str, Any] = field(repr=False)
    runs: list[Run] = field(repr=False)
    reused: list[bool] = field(repr=False)
    quota: dict[str, Any] = field(default_factory=dict, repr=False)
    configuration_hash: str = field(default="", repr=False)
    client: SubmissionsAPI | None = field(default=None, repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any], client: SubmissionsAPI | None = None) -> Submission:
        configuration = data["configuration"]
        return cls(
            task_id=data["task"],
            flow=FlowRef.from_json(data["flow"]),
            configuration_id=configuration["id"],
            configuration_hash=configuration.get("hash") or "",
            parameters=dict(configuration["parameters"]),
            runs=[Run.from_json(item, client=client) for item in data["runs"]],  # type: ignore[arg-type]
            reused=[bool(flag) for flag in data["reused"]],
            quota=dict(data.get("quota") or {}),
            client=client,
        )

    @property
    def seeds(self) -> list[int | None]:
        """The seeds, in the order of `runs`."""
        return [run.seed for run in self.runs]

    @property
    def failed(self) -> list[Run]:
        """The runs that failed (each with its `error`: code and message)."""
        return [run for run in self.runs if run.status == "failed"]

    @property
    def finished(self) -> bool:
        """Every run is done or failed."""
        return all(run.status in FINISHED for run in self.runs)

    def refresh(self) -> Submission:
        """Read every run again from the server (its status, queue position, evaluations)."""
        api = self._api()
        for run in self.runs:
            _refresh(api, run)
        return self

    def wait(
        self,
        timeout: float | None = None,
        *,
        poll_interval: float = 2.0,
        progress: bool | None = None,
    ) -> Submission:
        """Poll until every run is done or failed, and return the submission.

        A failed run does not raise: it is reported in `failed` (with its `error`), so the
        other seeds' results stay usable. Raises `WaitTimeout` after `timeout` seconds (None:
        no limit; server runs may wait in the queue behind others'). Polls quickly at first,
        then every `poll_interval` seconds, reading only the runs not yet finished. The bar on
        stderr counts the runs done and shows every state: `done 2/5 [00:42, 2 waiting (next
        at position 3), 1 running, 2 done]`.
        """
        api = self._api()
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = min(0.25, poll_interval)
        with _progress_bar(
            progress,
            total=len(self.runs),
            desc=f"Task {self.task_id}, configuration {self.configuration_id}",
            unit="run",
            bar_format="{desc}: done {n_fmt}/{total_fmt} [{elapsed}{postfix}]",
        ) as bar:
            while True:
                finished = sum(run.status in FINISHED for run in self.runs)
                bar.n = sum(run.status == "done" for run in self.runs)
                bar.set_postfix_str(_states(self.runs))  # redraws the count too
                if finished == len(self.runs):
                    return self
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise WaitTimeout(
                        f"{len(self.runs) - finished} of the {len(self.runs)} runs of "
                        f"configuration {self.configuration_id} on task {self.task_id} are not "
                        f"finished after {timeout:g} s ({_states(self.runs)}); call wait() "
                        "again to wait longer."
                    )
                time.sleep(delay if remaining is None else min(delay, remaining))
                delay = min(delay * 2, poll_interval)
                for run in self.runs:
                    if run.status not in FINISHED:
                        _refresh(api, run)

    def seed_summary(self) -> pd.DataFrame:
        """The configuration's results on this task across seeds, one row per measure:
        `measure`, `n` (seeds with a scored run), `mean`, `std`, `low`, `high` (the 95%
        t-interval of the mean; missing below two seeds). Counts the verified runs the server
        has scored (yours and, where visible, others'); `frame.attrs` holds `task`,
        `configuration`, `seeds` and `runs`."""
        import pandas as pd  # lazily: see the datasets module docstring

        frame = self._api().get_configuration_seeds(self.configuration_id, task=self.task_id)
        summary = frame.loc[:, list(SUMMARY_COLUMNS)].reset_index(drop=True)
        first = frame.iloc[0] if len(frame) else pd.Series(dtype=object)
        summary.attrs.update(
            task=self.task_id,
            configuration=self.configuration_id,
            seeds=list(first.get("seeds", [])),
            runs=list(first.get("runs", [])),
        )
        return summary

    def _api(self) -> Client:
        if self.client is not None:
            return self.client  # type: ignore[return-value]  # always a Client in practice
        from tunebench.client import default_client  # client.py imports this module

        return default_client()


def _refresh(api: Client, run: Run) -> None:
    assert run.id is not None
    run._adopt(api.get_run(run.id))


def _states(runs: list[Run]) -> str:
    """`2 waiting (next at position 3), 1 running, 2 done`: the runs by status."""
    counts = Counter(run.status for run in runs)
    parts = []
    for status, word in _STATE_WORDS:
        if not counts[status]:
            continue
        text = f"{counts[status]} {word}"
        positions = [run.queue_position for run in runs if run.status == status]
        known = [position for position in positions if position is not None]
        if status == "queued" and known:
            text += f" (next at position {min(known)})"
        parts.append(text)
    other = sum(n for status, n in counts.items() if status not in dict(_STATE_WORDS))
    if other:
        parts.append(f"{other} other")
    return ", ".join(parts)


def _plain(value: Any) -> Any:
    """JSON values from what a search library hands out: numpy scalars as Python numbers,
    tuples as lists, recursively; anything else as it is (the server judges it)."""
    item = getattr(value, "item", None)
    if type(value).__module__ == "numpy" and callable(item) and getattr(value, "ndim", 1) == 0:
        return item()
    if isinstance(value, list | tuple):
        return [_plain(entry) for entry in value]
    if isinstance(value, dict):
        return {key: _plain(entry) for key, entry in value.items()}
    return value


def _seed_list(seeds: int | Iterable[int]) -> list[int]:
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        return [int(seeds)]
    if isinstance(seeds, str | bytes) or not isinstance(seeds, Iterable):
        raise TypeError(f"seeds must be integers, got {seeds!r}.")
    return [operator.index(seed) for seed in seeds]


def _seed_row(summary: dict[str, Any], interval: dict[str, Any]) -> dict[str, Any]:
    return {
        "task": summary["task"],
        "configuration": summary["configuration"],
        "measure": interval["measure"],
        "n": interval["n"],
        "mean": interval["mean"],
        "std": interval.get("std"),
        "low": interval.get("low"),
        "high": interval.get("high"),
        "seeds": list(summary["seeds"]),
        "runs": list(summary["runs"]),
    }


def _seed_rows(body: Any) -> list[dict[str, Any]]:
    return [_seed_row(summary, interval) for summary in body for interval in summary["measures"]]


class SubmissionsAPI(APIClient):
    """The calls of `tunebench.Client` that have the server execute configurations."""

    def _client(self) -> Client:
        return cast("Client", self)  # SubmissionsAPI is only ever a base of Client

    def submit(
        self,
        task: int | Task,
        estimator: str,
        parameters: dict[str, Any] | None = None,
        *,
        seeds: int | Iterable[int] | None = (0, 1, 2, 3, 4),
        team: Any = None,
        tags: str | Iterable[str] = (),
        description: str = "",
    ) -> Submission:
        """Have the server execute a configuration of a registry estimator on `task` (an id or
        a `Task`), one run per seed.

        `estimator` names one of `list_estimators()` (e.g.
        `sklearn.ensemble.RandomForestClassifier`), `parameters` its hyperparameter values
        (the others take the space's defaults; numpy numbers are sent as plain numbers);
        `seeds` are 1 to 25 distinct integers (None: the server's default, 0 to 4), each the
        `random_state` of one run. `team` (an id or a `Team`) counts the runs, and the quota,
        for a team you belong to. Nothing is checked locally: the server's registry decides,
        and refuses with `ValidationError` listing every problem in `errors` (codes such as
        `estimator_not_allowed`, `unknown_parameter`, `out_of_range`, `not_applicable`,
        `wrong_task_type`, `duplicate`); a used-up daily quota raises `QuotaExceeded` (429).
        A seed that already has a run of this configuration (yours, same team, not failed) is
        not run again: `Submission.reused` marks it.
        """
        payload: dict[str, Any] = {
            "task": _id_of(task, "task"),
            "estimator": estimator,
            "parameters": _plain(dict(parameters or {})),
        }
        _json_field(payload["parameters"], "parameters")  # no NaN, no objects
        if seeds is not None:
            payload["seeds"] = _seed_list(seeds)
        payload["team_id"] = None if team is None else _team_id(team)
        payload["tags"] = _names(tags)
        payload["description"] = description
        body = self.post("submissions/", json=payload)
        submission = parse_response(
            partial(Submission.from_json, client=self), body, "submissions/"
        )
        if isinstance(task, Task):
            for run in submission.runs:
                run.task = task
        return submission

    def get_configuration_seeds(self, configuration: Any, task: Any = None) -> pd.DataFrame:
        """A configuration's verified runs across seeds, one row per task and measure
        (`SEED_COLUMNS`): `n` seeds, the `mean`, the sample `std` and the 95% t-interval of the
        mean (`low`, `high`; missing below two seeds), and the `seeds` and `runs` (lists) it
        is computed over. `configuration` and `task` are ids or objects with one; `task=None`
        gives every task the configuration has verified runs on."""
        import pandas as pd  # lazily: see the datasets module docstring

        path = f"configurations/{_id_of(configuration, 'configuration')}/seeds/"
        params = {} if task is None else {"task": _id_of(task, "task")}
        rows = parse_response(_seed_rows, self.get(path, params=params), path)
        frame = pd.DataFrame(rows, columns=list(SEED_COLUMNS))
        return frame.astype(dict.fromkeys(("mean", "std", "low", "high"), "float64"))
