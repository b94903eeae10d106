"""Server execution: `submit`, `Submission.wait`, results across seeds, the new run fields,
`run_estimator_on_task` and the `submit` command.

Against conftest's fake server, with the execution routes installed by `FakeSubmissions` below:
`POST /submissions/` checks a configuration with the engine's registry as the server does (every
problem in one 400, the first one's code as `code`), reuses a seed's existing run, keeps a daily
quota (429 `quota_exceeded`) and creates queued server runs with queue positions;
`submissions.script[id]` holds the changes successive GETs of a run apply, as `FakeRuns` does;
`GET /configurations/{id}/seeds/` answers `submissions.seeds[id]`. The task is conftest's, on
dataset 20.
"""

import hashlib
import io
import json
import re

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from threadpoolctl import threadpool_limits

import tunebench
from tunebench import (
    FlowRef,
    QuotaExceeded,
    Run,
    Submission,
    Throttled,
    ValidationError,
    WaitTimeout,
    cli,
    engine,
)
from tunebench.engine.execute import execute_configuration, prepare_features, task_target

FOREST = "sklearn.ensemble.RandomForestClassifier"
SMALL = {"n_estimators": 5, "max_depth": 3}
SERVER_ONLY = "tunebench.testing.Sleep"  # an estimator only the (fake) server knows
DEFAULT_SEEDS = [0, 1, 2, 3, 4]
LABELS = ["yes", "no", "maybe"]  # dataset 20's classes (conftest)


def problem(status, code, detail, **extra):
    return {
        "type": f"urn:tunebench:problem:{code}",
        "title": detail,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }


def refusal(problems):
    """The server's 400 for a configuration: every problem under `errors`, the first's code."""
    errors = {}
    for item in problems:
        errors.setdefault(item["field"], []).append(
            {"code": item["code"], "message": item["message"]}
        )
    first, more = problems[0], len(problems) - 1
    detail = f"{first['field']}: {first['message']}" + (f" (and {more} more)" if more else "")
    return problem(400, first["code"], detail, errors=errors, total=len(problems))


class FakeSubmissions:
    """The execution routes: submissions, server runs and a configuration's seed summaries."""

    def __init__(self, server, *, quota_limit=100):
        self.server = server
        self.quota_limit = quota_limit
        self.posted, self.runs, self.script = [], {}, {}
        self.configurations, self.seeds, self.files = {}, {}, {}
        self.positions = 0
        fallback = server.dataset_route

        def route(method, path, query, body, content_type):
            return self.route(method, path, query, body) or fallback(
                method, path, query, body, content_type
            )

        server.dataset_route = route

    def route(self, method, path, query, body):
        if (method, path) == ("POST", "/api/v1/submissions/"):
            payload = json.loads(body)
            self.posted.append(payload)
            return self.submit(payload)
        if (method, path) == ("GET", "/api/v1/runs/"):
            return 200, self.server.page("runs/", list(reversed(self.runs.values())), query), {}
        match = re.fullmatch(r"/api/v1/(runs|configurations)/(\d+)/(.*)", path)
        if method != "GET" or not match:
            return None
        kind, number, rest = match.group(1), int(match.group(2)), match.group(3)
        if (kind, rest) == ("runs", "") and number in self.runs:
            steps = self.script.get(number)
            if steps:
                self.runs[number].update(steps.pop(0) if len(steps) > 1 else steps[0])
            return 200, self.runs[number], {}
        if (kind, rest) == ("runs", "predictions/") and number in self.files:
            content = self.files[number]
            return 200, content, {"X-Checksum-SHA256": hashlib.sha256(content).hexdigest()}
        if (kind, rest) == ("configurations", "seeds/") and number in self.configurations:
            summaries = self.seeds.get(number, [])
            if "task" in query:
                summaries = [s for s in summaries if s["task"] == int(query["task"][0])]
            return 200, summaries, {}
        return None

    def submit(self, payload):
        task = self.server.tasks.get(payload["task"])
        if task is None:
            detail = f"There is no task {payload['task']} you can see."
            body = problem(
                400,
                "unknown_task",
                detail,
                errors={"task": [{"code": "unknown_task", "message": detail}]},
            )
            return 400, body, {}
        estimator, problems = payload["estimator"], []
        values = dict(payload.get("parameters", {}))
        if estimator != SERVER_ONLY:
            try:
                values = engine.validate_parameters(estimator, values)
            except engine.ParameterError as exc:
                problems += exc.problems
            else:
                if task["task_type_id"] not in engine.get_estimator(estimator).task_types:
                    problems.append(
                        {"field": "estimator", "code": "wrong_task_type", "message": "No."}
                    )
        seeds = payload.get("seeds") or DEFAULT_SEEDS
        for index, seed in enumerate(seeds):
            if not 0 <= seed <= 2**32 - 1:
                problems.append(
                    {"field": f"seeds.{index}", "code": "out_of_range", "message": "0 to 2**32-1"}
                )
            elif seed in seeds[:index]:
                problems.append(
                    {"field": f"seeds.{index}", "code": "duplicate", "message": f"{seed} again"}
                )
        if problems:
            return 400, refusal(problems), {}
        configuration = self.configuration(estimator, values)
        team = payload.get("team_id")
        existing = {
            run["seed"]: run
            for run in self.runs.values()
            if (run["task"]["id"], run["configuration"]["id"]) == (task["id"], configuration["id"])
            and (run["team"] or {}).get("id") == team
            and run["status"] != "failed"
        }
        new = [seed for seed in seeds if seed not in existing]
        used = len(self.runs)
        if new and used + len(new) > self.quota_limit:
            detail = f"You may start {self.quota_limit} server runs per 24 hours."
            errors = {"seeds": [{"code": "quota_exceeded", "message": detail}]}
            body = problem(
                429, "quota_exceeded", detail, errors=errors, used=used, limit=self.quota_limit
            )
            return 429, body, {}
        for seed in new:
            existing[seed] = self.new_run(task, configuration, seed, team, payload)
        runs = [existing[seed] for seed in seeds]
        used = len(self.runs)
        body = {
            "task": task["id"],
            "flow": configuration["flow"],
            "configuration": {k: configuration[k] for k in ("id", "hash", "parameters")},
            "runs": runs,
            "reused": [seed not in new for seed in seeds],
            "quota": {
                "used": used,
                "limit": self.quota_limit,
                "remaining": self.quota_limit - used,
            },
        }
        return (201 if new else 200), body, {}

    def configuration(self, estimator, values):
        for found in self.configurations.values():
            if (found["estimator"], found["parameters"]) == (estimator, values):
                return found
        configuration_id = len(self.configurations) + 31
        self.configurations[configuration_id] = {
            "id": configuration_id,
            "estimator": estimator,
            "hash": hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest(),
            "parameters": values,
            "flow": {
                "id": 90,
                "name": f"tunebench.{estimator}",
                "version": 1,
                "external_version": "sklearn==1.6.1",
                "executable": True,
            },
        }
        return self.configurations[configuration_id]

    def new_run(self, task, configuration, seed, team, payload):
        run_id = len(self.runs) + 201
        self.positions += 1
        self.runs[run_id] = {
            "id": run_id,
            "url": f"/api/v1/runs/{run_id}/",
            "task": {
                "id": task["id"],
                "dataset": {"id": task["dataset"]["id"], "name": task["dataset"]["name"]},
                "target": task["target"],
                "evaluation_measure": task["evaluation_measure"],
            },
            "flow": configuration["flow"],
            "configuration": {"id": configuration["id"], "parameters": configuration["parameters"]},
            "uploader": {"id": 1, "username": "ada"},
            "team": {"id": team, "slug": "lab", "name": "Lab"} if team else None,
            "origin": "server",
            "verified": True,
            "status": "queued",
            "queue_position": self.positions,
            "error": None,
            "seed": seed,
            "environment": {},
            "resources": None,
            "verification": None,
            "tags": sorted(payload.get("tags", [])),
            "description": payload.get("description", ""),
            "created_at": "2026-12-05T10:00:00Z",
            "started_at": None,
            "finished_at": None,
            "predictions": None,
            "evaluations": [],
        }
        return self.runs[run_id]


@pytest.fixture
def submissions(server):
    return FakeSubmissions(server)


RESOURCES = {
    "peak_memory_mb": 212.5,
    "cpu_seconds": 3.2,
    "wall_seconds": 3.5,
    "memory_limit_mb": 2048,
    "wall_limit_seconds": 3600.0,
}


ENVIRONMENT = {"python": "3.12.3", "libraries": {"scikit-learn": "1.6.1"}, "worker": "w1"}


def running():
    return {"status": "running", "queue_position": None, "started_at": "2026-12-05T10:01:00Z"}


def done(value=0.8):
    return {
        "status": "done",
        "queue_position": None,
        "started_at": "2026-12-05T10:01:00Z",
        "finished_at": "2026-12-05T10:01:09Z",
        "resources": RESOURCES,
        "environment": ENVIRONMENT,
        "fold_timings": [{"repeat": 0, "fold": 0, "fit_seconds": 0.2, "predict_seconds": 0.01}],
        "evaluations": [{"measure": "predictive_accuracy", "value": value, "std": 0.05}],
    }


def failed(code="memory_limit", message="The configuration ran out of memory."):
    return {"status": "failed", "queue_position": None, "error": {"code": code, "message": message}}


def interval(measure, n, mean, std=None, low=None, high=None):
    return {"measure": measure, "n": n, "mean": mean, "std": std, "low": low, "high": high}


# -- submit ----------------------------------------------------------------------------------------


def test_submit_sends_the_configuration_and_returns_one_queued_run_per_seed(
    server, submissions, task
):
    submission = task.client.submit(task, FOREST, {"n_estimators": np.int64(5), "max_depth": 3})
    assert submissions.posted == [
        {
            "task": task.id,
            "estimator": FOREST,
            "parameters": {"n_estimators": 5, "max_depth": 3},  # numpy numbers as JSON numbers
            "seeds": DEFAULT_SEEDS,
            "team_id": None,
            "tags": [],
            "description": "",
        }
    ]
    assert isinstance(submission, Submission)
    assert (submission.task_id, submission.configuration_id) == (task.id, 31)
    assert submission.flow == FlowRef(90, f"tunebench.{FOREST}", 1, "sklearn==1.6.1", True)
    assert submission.parameters == engine.validate_parameters(FOREST, SMALL)  # complete
    assert len(submission.configuration_hash) == 64
    assert submission.reused == [False] * 5
    assert submission.quota == {"used": 5, "limit": 100, "remaining": 95}
    assert submission.seeds == DEFAULT_SEEDS
    assert [run.id for run in submission.runs] == [201, 202, 203, 204, 205]
    for position, run in enumerate(submission.runs, start=1):
        assert isinstance(run, Run)
        assert (run.status, run.queue_position, run.origin, run.verified) == (
            "queued",
            position,
            "server",
            True,
        )
        assert run.configuration_id == 31
        assert run.flow.executable
        assert run.task is task  # the Task given, so run.evaluate() needs no request
    assert not submission.failed
    assert not submission.finished


def test_submit_with_seeds_team_tags_and_a_description(server, submissions, task, client):
    team = client.whoami().teams[0]  # a TeamMembership: its id is sent
    submission = client.submit(
        task.id, FOREST, SMALL, seeds=[7, 3], team=team, tags="nightly", description="Forest."
    )
    body = submissions.posted[-1]
    assert (body["seeds"], body["team_id"], body["tags"], body["description"]) == (
        [7, 3],
        3,
        ["nightly"],
        "Forest.",
    )
    assert submission.runs[0].team.name == "Lab"
    assert submission.runs[0].tags == ["nightly"]
    assert server.requests[-1].headers["Content-Type"] == "application/json"
    # seeds=None leaves the choice to the server; one int is one seed
    client.submit(task.id, FOREST, SMALL, seeds=None)
    assert "seeds" not in submissions.posted[-1]
    client.submit(task.id, FOREST, SMALL, seeds=np.int64(9))
    assert submissions.posted[-1]["seeds"] == [9]


def test_a_seed_that_has_a_run_already_is_reused(server, submissions, task, client):
    first = client.submit(task, FOREST, SMALL, seeds=[0, 1])
    again = client.submit(task, FOREST, SMALL, seeds=[1, 2])
    assert again.reused == [True, False]
    assert again.runs[0].id == first.runs[1].id
    assert again.configuration_id == first.configuration_id
    same = client.submit(task, FOREST, SMALL, seeds=[2, 0])
    assert same.reused == [True, True]  # the server answered 200: nothing new
    assert [run.id for run in same.runs] == [again.runs[1].id, first.runs[0].id]
    assert same.quota["used"] == 3


def test_a_refused_configuration_raises_validation_error_with_every_problem(submissions, task):
    with pytest.raises(ValidationError) as excinfo:
        task.client.submit(task, FOREST, {"max_depth": 0, "bogus": 1}, seeds=[1, 1, -2])
    exc = excinfo.value
    assert (exc.status, exc.code) == (400, "unknown_parameter")
    assert {field: [item["code"] for item in items] for field, items in exc.errors.items()} == {
        "parameters.bogus": ["unknown_parameter"],
        "parameters.max_depth": ["out_of_range"],
        "seeds.1": ["duplicate"],
        "seeds.2": ["out_of_range"],
    }
    assert exc.extra["total"] == 4
    text = str(exc)
    assert text.startswith("unknown_parameter: parameters.bogus: ")
    assert "(and 3 more)" in text
    for field in exc.errors:  # every problem is in the message, not just the first
        assert f"{field}: " in text
    assert "got 0; expected an integer from 1 to 1000 or null" in text
    assert text.endswith("(HTTP 400)")
    assert submissions.runs == {}


def test_the_server_decides_what_it_can_execute(submissions, task, client):
    """Nothing is checked locally: an estimator the local engine does not know is sent."""
    submission = client.submit(task, SERVER_ONLY, {"seconds": 1}, seeds=[0])
    assert submission.parameters == {"seconds": 1}
    with pytest.raises(ValidationError) as excinfo:
        client.submit(task, "sklearn.ensemble.RandomForestRegressor", {})
    assert excinfo.value.code == "wrong_task_type"
    assert list(excinfo.value.errors) == ["estimator"]


def test_an_unknown_task_is_a_validation_error_on_task(submissions, client):
    with pytest.raises(ValidationError) as excinfo:
        client.submit(99, FOREST)
    assert excinfo.value.code == "unknown_task"
    assert list(excinfo.value.errors) == ["task"]


def test_a_used_up_quota_raises_quota_exceeded(server, task):
    submissions = FakeSubmissions(server, quota_limit=3)
    task.client.submit(task, FOREST, SMALL, seeds=[0, 1])
    with pytest.raises(QuotaExceeded) as excinfo:
        task.client.submit(task, FOREST, SMALL, seeds=[2, 3])
    exc = excinfo.value
    assert isinstance(exc, Throttled)
    assert (exc.status, exc.code, exc.used, exc.limit) == (429, "quota_exceeded", 2, 3)
    assert exc.errors["seeds"][0]["code"] == "quota_exceeded"
    assert str(exc).startswith("quota_exceeded: You may start 3 server runs per 24 hours.")
    assert len(submissions.runs) == 2


def test_parameters_must_be_plain_json(submissions, client):
    with pytest.raises(ValueError, match="plain JSON"):
        client.submit(1, FOREST, {"max_samples": float("nan")})
    with pytest.raises(TypeError, match="seeds"):
        client.submit(1, FOREST, seeds="0,1")
    assert submissions.posted == []


# -- waiting ---------------------------------------------------------------------------------------


def test_wait_follows_every_run_and_reports_failed_ones(server, submissions, task, client):
    submission = client.submit(task, FOREST, SMALL, seeds=[0, 1, 2])
    first, second, third = (run.id for run in submission.runs)
    submissions.script[first] = [{"queue_position": 1}, running(), done(0.8)]
    submissions.script[second] = [{"queue_position": 2}, {"queue_position": 1}, failed()]
    submissions.script[third] = [running(), {"status": "scoring"}, done(0.9)]
    assert submission.wait(poll_interval=0.01, progress=False) is submission
    assert [run.status for run in submission.runs] == ["done", "failed", "done"]
    assert submission.finished
    assert submission.failed == [submission.runs[1]]
    assert submission.failed[0].error.code == "memory_limit"
    assert submission.runs[0].evaluations == {"predictive_accuracy": 0.8}
    assert submission.runs[0].resources == RESOURCES
    assert submission.runs[0].environment == ENVIRONMENT  # the worker's, to compare versions
    assert submission.runs[0].fold_timings[0]["fit_seconds"] == 0.2
    assert submission.runs[0].queue_position is None
    gets = [r.path for r in server.requests if r.method == "GET" and "/runs/" in r.path]
    assert gets.count(f"/api/v1/runs/{first}/") == 3  # a finished run is not read again
    # waiting again asks nothing
    count = len(server.requests)
    submission.wait(progress=False)
    assert len(server.requests) == count


def test_wait_shows_one_bar_with_the_states(submissions, task, client, capsys):
    submission = client.submit(task, FOREST, SMALL, seeds=[0, 1, 2])
    first, second, third = (run.id for run in submission.runs)
    submissions.script[first] = [running(), done()]
    submissions.script[second] = [{"queue_position": 1}, failed()]
    submissions.script[third] = [{"queue_position": 2}, done()]
    submission.wait(poll_interval=0.01, progress=True)
    err = capsys.readouterr().err
    prefix = f"Task {task.id}, configuration {submission.configuration_id}: done"
    assert f"{prefix} 0/3 [" in err
    assert "3 waiting (next at position 1)]" in err
    assert "2 waiting (next at position 1), 1 running]" in err  # in a fixed order
    assert f"{prefix} 2/3 [" in err  # the failed run is not done
    assert "2 done, 1 failed]" in err
    submission.wait(progress=False)
    assert capsys.readouterr().err == ""


def test_wait_times_out(submissions, task, client):
    submission = client.submit(task, FOREST, SMALL, seeds=[0, 1])
    submissions.script[submission.runs[0].id] = [done()]
    with pytest.raises(WaitTimeout) as excinfo:
        submission.wait(timeout=0.05, poll_interval=0.01, progress=False)
    assert excinfo.value.code == "wait_timeout"
    assert "1 of the 2 runs of configuration 31" in str(excinfo.value)
    assert "1 waiting (next at position 2), 1 done" in str(excinfo.value)


def test_refresh_reads_every_run_again(server, submissions, task, client):
    submission = client.submit(task, FOREST, SMALL, seeds=[0, 1])
    submissions.runs[submission.runs[1].id].update(failed())
    assert submission.refresh() is submission
    assert [run.status for run in submission.runs] == ["queued", "failed"]
    gets = [r.path for r in server.requests if r.method == "GET"]
    assert gets[-2:] == [f"/api/v1/runs/{run.id}/" for run in submission.runs]


# -- results across seeds --------------------------------------------------------------------------


def seed_summaries(task_id, configuration_id):
    return [
        {
            "task": task_id,
            "configuration": configuration_id,
            "seeds": [0, 1, 2],
            "runs": [201, 202, 203],
            "measures": [
                interval("predictive_accuracy", 3, 0.8, 0.05, 0.6758, 0.9242),
                interval("kappa", 1, 0.5),
            ],
        },
        {
            "task": 77,
            "configuration": configuration_id,
            "seeds": [0],
            "runs": [300],
            "measures": [interval("root_mean_squared_error", 1, 1.5)],
        },
    ]


def test_get_configuration_seeds_has_one_row_per_task_and_measure(server, submissions, client):
    configuration = submissions.configuration(FOREST, {})
    submissions.seeds[31] = seed_summaries(1, 31)
    frame = client.get_configuration_seeds(31)
    assert list(frame.columns) == [
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
    ]
    assert frame["measure"].tolist() == ["predictive_accuracy", "kappa", "root_mean_squared_error"]
    assert frame["task"].tolist() == [1, 1, 77]
    assert frame.loc[0, "seeds"] == [0, 1, 2]
    assert frame.loc[0, "runs"] == [201, 202, 203]
    assert frame.loc[0, ["n", "mean", "std", "low", "high"]].tolist() == [
        3,
        0.8,
        0.05,
        0.6758,
        0.9242,
    ]
    assert frame.loc[1, ["std", "low", "high"]].isna().all()  # one seed: no interval
    assert frame["std"].dtype == np.float64
    assert server.requests[-1].query == {}

    one = client.get_configuration_seeds(configuration["id"], task=1)
    assert one["task"].tolist() == [1, 1]
    assert server.requests[-1].query == {"task": ["1"]}
    assert client.get_configuration_seeds(31, task=5).empty


def test_seed_summary_is_the_configurations_results_on_the_task(submissions, task, client):
    submission = client.submit(task, FOREST, SMALL, seeds=[0, 1, 2])
    submissions.seeds[submission.configuration_id] = seed_summaries(
        task.id, submission.configuration_id
    )
    summary = submission.seed_summary()
    assert list(summary.columns) == ["measure", "n", "mean", "std", "low", "high"]
    assert summary["measure"].tolist() == ["predictive_accuracy", "kappa"]
    assert summary.loc[0].tolist() == ["predictive_accuracy", 3, 0.8, 0.05, 0.6758, 0.9242]
    assert summary.attrs == {
        "task": task.id,
        "configuration": submission.configuration_id,
        "seeds": [0, 1, 2],
        "runs": [201, 202, 203],
    }
    submissions.seeds[submission.configuration_id] = []  # nothing scored yet
    empty = submission.seed_summary()
    assert empty.empty
    assert list(empty.columns) == ["measure", "n", "mean", "std", "low", "high"]


def test_leaderboard_rows_have_verified_and_the_seed_interval(server, client):
    entry = {
        "rank": 1,
        "person": {"id": 1, "username": "ada"},
        "team": None,
        "run": 201,
        "flow": {"id": 90, "name": f"tunebench.{FOREST}", "version": 1},
        "configuration": 31,
        "value": 0.9,
        "std": 0.02,
        "created_at": "2026-12-05T10:00:00Z",
        "runs": 5,
        "verified": True,
        "seeds": interval("predictive_accuracy", 5, 0.85, 0.04, 0.8003, 0.8997),
    }
    uploaded = {**entry, "rank": 2, "run": 7, "verified": False, "seeds": None, "value": 0.8}
    board = {
        "measure": "predictive_accuracy",
        "higher_is_better": True,
        "by": "person",
        "entries": [entry, uploaded],
    }
    server.respond("GET", "/api/v1/tasks/1/leaderboard/", 200, board)
    frame = tunebench.Client(server.url, "tb_x").get_leaderboard(1)
    assert frame["verified"].tolist() == [True, False]
    assert frame.loc[
        0, ["seeds_n", "seeds_mean", "seeds_std", "seeds_low", "seeds_high"]
    ].tolist() == [
        5,
        0.85,
        0.04,
        0.8003,
        0.8997,
    ]
    assert frame.loc[1, ["seeds_mean", "seeds_std", "seeds_low", "seeds_high"]].isna().all()
    assert pd.isna(frame.loc[1, "seeds_n"])
    assert frame["seeds_n"].dtype == "Int64"
    assert frame["seeds_mean"].dtype == np.float64


# -- the new run fields ----------------------------------------------------------------------------


def test_run_parses_the_execution_fields(submissions, task, client):
    submission = client.submit(task, FOREST, SMALL, seeds=[4])
    run_id = submission.runs[0].id
    verification = {"verifies": 12}
    submissions.runs[run_id].update(done(), verification=verification)
    run = client.get_run(run_id)
    assert (run.verified, run.queue_position, run.resources, run.verification) == (
        True,
        None,
        RESOURCES,
        verification,
    )
    assert (run.started_at, run.finished_at) == ("2026-12-05T10:01:00Z", "2026-12-05T10:01:09Z")
    assert run.flow.executable
    listed = client.list_runs()
    assert listed["verified"].tolist() == [True]
    assert pd.isna(listed.loc[0, "queue_position"])  # it is not waiting
    assert listed["queue_position"].dtype == "Int64"
    submissions.runs[run_id].update(status="queued", queue_position=2)
    assert client.list_runs()["queue_position"].tolist() == [2]


def test_a_run_without_the_execution_fields_still_parses(submissions, task, client):
    submission = client.submit(task, FOREST, SMALL, seeds=[4])
    old = {
        key: value
        for key, value in submissions.runs[submission.runs[0].id].items()
        if key not in ("verified", "queue_position", "resources", "verification", "started_at")
    }
    old["flow"] = {k: old["flow"][k] for k in ("id", "name", "version", "external_version")}
    run = Run.from_json(old)
    assert (run.verified, run.queue_position, run.resources, run.verification) == (
        False,
        None,
        None,
        None,
    )
    assert run.started_at is None
    assert not run.flow.executable
    assert run.estimator is None


def test_run_wait_shows_the_queue_position(submissions, task, client, capsys):
    submission = client.submit(task, FOREST, SMALL, seeds=[0, 1])
    run = submission.runs[1]
    submissions.script[run.id] = [{"queue_position": 4}, running(), {"status": "scoring"}, done()]
    assert run.wait(poll_interval=0.01, progress=True) is run
    err = capsys.readouterr().err
    for state in ("queued: position 4", "running", "scoring", "done"):
        assert f"Run {run.id}: {state}" in err
    assert run.evaluations == {"predictive_accuracy": 0.8}
    assert run.resources == RESOURCES


# -- reproducing a server run locally --------------------------------------------------------------


def as_the_server_executes(server, task, parameters, seed):
    """What the worker computes (`runs.execution._write_job` and `runs.sandbox._read_job`): the
    feature columns in feature order and the target, read from the stored Parquet file."""
    features = ["x1", "x2", "value"]  # without row_id (row id), junk (ignored) and class
    table = pq.read_table(io.BytesIO(server.files[(20, "parquet")]), columns=[*features, "class"])
    X = prepare_features(engine.table_to_dataframe(table.drop_columns(["class"])))
    y = task_target(table.column("class"), task_type=1, class_labels=task.class_labels)
    with threadpool_limits(limits=1):
        predictions, _ = execute_configuration(
            FOREST,
            engine.validate_parameters(FOREST, parameters),
            seed=seed,
            X=X,
            y=y,
            splits=task.get_splits(),
            task_type=1,
            class_labels=task.class_labels,
        )
    return predictions


def parquet_bytes(frame):
    sink = io.BytesIO()
    pq.write_table(engine.dataframe_to_table(frame), sink)
    return sink.getvalue()


def test_run_estimator_on_task_predicts_as_the_server_does(server, task, client):
    run = client.run_estimator_on_task(FOREST, task, SMALL, seed=3, progress=False)
    expected = as_the_server_executes(server, task, SMALL, seed=3)
    pd.testing.assert_frame_equal(run.predictions, expected)
    assert parquet_bytes(run.predictions) == parquet_bytes(expected)
    assert list(run.predictions.columns) == [
        "repeat",
        "fold",
        "row_id",
        "prediction",
        *(f"confidence.{label}" for label in LABELS),
    ]
    assert (run.task_id, run.seed, run.flow, run.estimator, run.id) == (
        task.id,
        3,
        None,
        FOREST,
        None,
    )
    assert run.parameters == engine.validate_parameters(FOREST, SMALL)  # the configuration's
    assert [(t["repeat"], t["fold"]) for t in run.fold_timings] == [(0, f) for f in range(10)]
    assert {"python", "libraries", "platform"} <= set(run.environment)
    assert run.task is task
    assert 0 <= run.evaluate().mean["predictive_accuracy"] <= 1


def test_a_server_run_is_reproduced_locally_from_its_parameters_and_seed(
    server, submissions, task, client
):
    """The documented recipe: the server run's parameters and seed give its predictions."""
    server_run = client.submit(task, FOREST, SMALL, seeds=[5]).runs[0]
    content = parquet_bytes(as_the_server_executes(server, task, SMALL, seed=5))
    submissions.files[server_run.id] = content
    stored = {"format": "parquet", "size": len(content), "md5": "", "url": ""}
    stored["sha256"] = hashlib.sha256(content).hexdigest()
    submissions.script[server_run.id] = [{**done(), "predictions": stored}]
    server_run.wait(poll_interval=0.01, progress=False)
    local = client.run_estimator_on_task(
        FOREST, task, server_run.parameters, seed=server_run.seed, progress=False
    )
    assert local.predictions.equals(server_run.get_predictions(progress=False))


def test_run_estimator_on_task_is_deterministic_per_seed(task, client):
    first = client.run_estimator_on_task(FOREST, task.id, SMALL, seed=1, progress=False)
    again = client.run_estimator_on_task(FOREST, task.id, SMALL, seed=1, progress=False)
    other = client.run_estimator_on_task(FOREST, task.id, SMALL, seed=2, progress=False)
    pd.testing.assert_frame_equal(first.predictions, again.predictions)
    columns = [f"confidence.{label}" for label in LABELS]
    assert not np.array_equal(first.predictions[columns], other.predictions[columns])


def test_run_estimator_on_task_refuses_what_the_server_would(task, client):
    with pytest.raises(ValidationError) as excinfo:
        client.run_estimator_on_task(FOREST, task, {"max_depth": 0, "bogus": 1}, progress=False)
    assert excinfo.value.code == "unknown_parameter"
    assert set(excinfo.value.errors) == {"parameters.bogus", "parameters.max_depth"}
    assert excinfo.value.extra == {"total": 2}
    with pytest.raises(ValidationError) as excinfo:
        client.run_estimator_on_task("sklearn.linear_model.Ridge", task, progress=False)
    assert excinfo.value.code == "wrong_task_type"
    with pytest.raises(ValidationError, match="estimator_not_allowed"):
        client.run_estimator_on_task("os.system", task, progress=False)
    with pytest.raises(ValueError, match="seed"):
        client.run_estimator_on_task(FOREST, task, seed=-1)


class FakeExecutableFlows:
    """The server's executable flows and re-verification, on top of `FakeRuns`."""

    def __init__(self, server, runs):
        self.runs, self.reverified = runs, []
        fallback = server.dataset_route

        def route(method, path, query, body, content_type):
            return self.route(method, path) or fallback(method, path, query, body, content_type)

        server.dataset_route = route

    def route(self, method, path):
        match = re.fullmatch(r"/api/v1/estimators/([A-Za-z0-9_.]+)/flow/", path)
        if method == "GET" and match:
            name = match.group(1)
            _status, flow, _ = self.runs.post_flow(
                {
                    "name": f"tunebench.{name}",
                    "external_version": "sklearn==1.9.1",
                    "parameters": [],
                    "components": [],
                }
            )
            return 200, {**flow, "executable": True, "estimator": name, "uploader": None}, {}
        match = re.fullmatch(r"/api/v1/runs/(\d+)/reverify/", path)
        if method == "POST" and match:
            uploaded = self.runs.runs[int(match.group(1))]
            self.reverified.append(uploaded["id"])
            server_run = {
                **uploaded,
                "id": 900 + len(self.reverified),
                "url": f"/api/v1/runs/{900 + len(self.reverified)}/",
                "origin": "server",
                "verified": True,
                "queue_position": 1,
                "verification": {"verifies": uploaded["id"]},
            }
            return 202, server_run, {}
        return None


def test_a_local_run_of_a_registry_estimator_publishes_against_the_executable_flow(
    task, client, server
):
    from test_tunebench_runs import FakeRuns

    runs = FakeRuns(server)
    executable = FakeExecutableFlows(server, runs)
    run = client.run_estimator_on_task(FOREST, task, SMALL, seed=3, progress=False)
    run.publish()
    assert run.id is not None
    [(fields, _files)] = runs.uploads
    flow = next(iter(runs.flows.values()))
    assert flow["name"] == f"tunebench.{FOREST}"
    assert fields["flow"] == [str(flow["id"])]
    assert json.loads(fields["parameters"][0]) == run.parameters
    assert fields["seed"] == ["3"]

    server_run = run.reverify()
    assert executable.reverified == [run.id]
    assert (server_run.verified, server_run.queue_position) == (True, 1)
    assert run.verification == {"run": server_run.id, "status": "pending"}
    assert tunebench.Client.reverify_run is not None


def test_module_functions_use_the_default_connection(server, api_key, submissions, make_task):
    tunebench.connect(server.url, api_key=api_key)
    task = make_task(tunebench.client.default_client(), target="class")
    submission = tunebench.submit(task.id, FOREST, SMALL, seeds=[0])
    submissions.seeds[submission.configuration_id] = seed_summaries(
        task.id, submission.configuration_id
    )
    frame = tunebench.get_configuration_seeds(submission.configuration_id, task=task.id)
    assert frame["measure"].tolist() == ["predictive_accuracy", "kappa"]
    run = tunebench.run_estimator_on_task(FOREST, task.id, SMALL, seed=0, progress=False)
    assert run.estimator == FOREST


# -- the command line ------------------------------------------------------------------------------


def test_cli_submit_parses_params_and_waits_for_the_summary(
    server, api_key, submissions, task, capsys
):
    base = ["--url", server.url, "--api-key", api_key, "submit", "--task", str(task.id)]
    argv = [*base, "--estimator", FOREST, "--param", "max_depth=5", "--param", "criterion=entropy"]
    argv += ["--param", "max_features=null", "--param", "n_estimators=5", "--seeds", "0,1,2"]
    argv += ["--team", "3", "--tag", "cli"]
    assert cli.main(argv) == 0
    body = submissions.posted[-1]
    assert {k: body["parameters"][k] for k in ("max_depth", "criterion", "max_features")} == {
        "max_depth": 5,
        "criterion": "entropy",
        "max_features": None,
    }
    assert (body["seeds"], body["team_id"], body["tags"]) == ([0, 1, 2], 3, ["cli"])
    assert capsys.readouterr().out == (
        f"Submitted configuration 31 (tunebench.{FOREST}) on task {task.id}: runs 201, 202, 203.\n"
        "  run 201: seed 0, queued, position 1 in the queue\n"
        "  run 202: seed 1, queued, position 2 in the queue\n"
        "  run 203: seed 2, queued, position 3 in the queue\n"
    )

    for run_id in (201, 202, 203):
        submissions.script[run_id] = [running(), done()]
    submissions.seeds[31] = seed_summaries(task.id, 31)
    assert cli.main([*argv, "--wait"]) == 0
    assert capsys.readouterr().out == (
        f"Submitted configuration 31 (tunebench.{FOREST}) on task {task.id}: runs 201, 202, 203.\n"
        "  run 201: seed 0, queued, position 1 in the queue (existing run)\n"
        "  run 202: seed 1, queued, position 2 in the queue (existing run)\n"
        "  run 203: seed 2, queued, position 3 in the queue (existing run)\n"
        "3 of 3 runs done.\n"
        "MEASURE              SEEDS    MEAN     STD  95% LOW  95% HIGH\n"
        "predictive_accuracy      3  0.8000  0.0500   0.6758    0.9242\n"
        "kappa                    1  0.5000\n"
    )


def test_cli_submit_reports_failed_runs_and_exits_1(server, api_key, submissions, task, capsys):
    argv = ["--url", server.url, "--api-key", api_key, "submit", "--task", str(task.id)]
    argv += ["--estimator", FOREST, "--seeds", "0,1", "--wait"]
    # the runs are created by this very call: script them by the ids they will get
    submissions.script[201] = [done()]
    submissions.script[202] = [failed()]
    assert cli.main(argv) == 1
    captured = capsys.readouterr()
    assert (
        "error: run 202 (seed 1) failed: memory_limit: The configuration ran out of memory.\n"
        in (captured.err)
    )
    assert "1 of 2 runs done.\n" in captured.out


def test_cli_submit_refused_configuration_prints_every_problem(
    server, api_key, submissions, task, capsys
):
    argv = ["--url", server.url, "--api-key", api_key, "submit", "--task", str(task.id)]
    argv += ["--estimator", FOREST, "--param", "max_depth=0", "--param", "bogus=1"]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unknown_parameter: parameters.bogus: ")
    assert "parameters.max_depth: got 0;" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--param", "max_depth"], "expected name=value"),
        (["--param", "=3"], "expected name=value"),
        (["--seeds", "0,x"], "expected integers separated by commas"),
    ],
)
def test_cli_submit_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as excinfo:
        cli.main(["submit", "--task", "1", "--estimator", FOREST, *argv])
    assert excinfo.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_param_values_are_json_or_text():
    assert cli._parameter("hidden_layer_sizes=[64, 32]") == ("hidden_layer_sizes", [64, 32])
    assert cli._parameter("alpha=0.1") == ("alpha", 0.1)
    assert cli._parameter("fit_intercept=true") == ("fit_intercept", True)
    assert cli._parameter("kernel=rbf") == ("kernel", "rbf")
    assert cli._parameter("x=NaN") == ("x", "NaN")  # not JSON: text, for the server to refuse
    assert cli._parameter("x=") == ("x", "")


def test_cli_submit_refuses_a_param_given_twice(capsys):
    argv = ["submit", "--task", "1", "--estimator", FOREST, "--param", "a=1", "--param", "a=2"]
    assert cli.main(argv) == 2
    assert "--param a is given twice" in capsys.readouterr().err
