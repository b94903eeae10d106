"""``/api/v1/submissions/``: the server executes a registry configuration, one run per seed.

The service (``runs.execution``) is tested in tests/runs/test_execution.py; these tests are
about the HTTP layer: the exact answer of a submission, every refusal as one problem
document listing all its problems (and nothing stored), the quota, queue positions, and
what the executed runs look like afterwards through ``/runs/``, ``/flows/``,
``/configurations/{id}/seeds/`` and the task's leaderboard.
"""

from __future__ import annotations

import hashlib
import math
import re

import pytest
from rest_framework.test import APIClient

from accounts.services import create_api_key
from datasets.models import Dataset
from flows.models import Configuration, Flow
from flows.services import configuration_hash
from runs.models import Run
from tests.factories import UserFactory, make_team
from tests.runs import conftest as runs_fixtures

pytestmark = pytest.mark.django_db

# The runs tests' fixtures (an active 10-fold classification task on 40 rows, a regression
# task), offered to this module under their own names.
task = runs_fixtures.task
regression_task = runs_fixtures.regression_task

URL = "/api/v1/submissions/"
TREE = "sklearn.tree.DecisionTreeClassifier"
RANDOM_TREE = {"splitter": "random"}  # its predictions depend on the seed
# The complete canonical values of RANDOM_TREE: every parameter, defaults filled, keys sorted.
RANDOM_TREE_VALUES = {
    "ccp_alpha": 0.0,
    "class_weight": None,
    "criterion": "gini",
    "max_depth": None,
    "max_features": None,
    "max_leaf_nodes": None,
    "min_impurity_decrease": 0.0,
    "min_samples_leaf": 1,
    "min_samples_split": 2,
    "min_weight_fraction_leaf": 0.0,
    "splitter": "random",
}
FLOW_KEYS = {"id", "name", "version", "external_version", "executable"}


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _, raw = create_api_key(user=user, name="t")
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def body(task, /, **fields) -> dict:
    return {"task": task.pk, "estimator": TREE, "parameters": {}, "seeds": [0], **fields}


def post(client, data):
    return client.post(URL, data, format="json")


def post_raw(client, text: str | bytes):
    return client.post(URL, text, content_type="application/json")


def problem_of(response, status: int, code: str, fields: set[str] | None = None) -> dict:
    """The problem document, checked: status, code, and exactly these `errors` fields (or no
    `errors` member when ``fields`` is empty)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert (problem["status"], problem["code"]) == (status, code), problem
    assert problem["type"] == f"urn:tunebench:problem:{code}"
    assert problem["instance"] == URL
    if fields is not None:
        assert set(problem.get("errors", {})) == fields, problem
    return problem


def codes_of(problem: dict) -> dict[str, list[str]]:
    return {field: [item["code"] for item in items] for field, items in problem["errors"].items()}


def nothing_stored() -> bool:
    return not (
        Run.objects.exists()
        or Configuration.objects.exists()
        or Flow.objects.filter(name__startswith="tunebench.").exists()
    )


@pytest.fixture
def submitted(auth_client, task, ingest):
    """Three seeds of a random-splitter tree, submitted and executed: the 201's body."""
    response = ingest(post, auth_client, body(task, parameters=RANDOM_TREE, seeds=[0, 1, 2]))
    assert response.status_code == 201, response.content
    return response.json()


def run_detail(client, run_id: int) -> dict:
    response = client.get(f"/api/v1/runs/{run_id}/")
    assert response.status_code == 200, response.content
    return response.json()


# -- the happy path ----------------------------------------------------------------------


def test_a_submission_answers_the_flow_configuration_runs_and_quota(
    auth_client, task, settings, submitted
):
    assert submitted["task"] == task.pk
    flow = submitted["flow"]
    assert set(flow) == FLOW_KEYS
    assert flow["name"] == f"tunebench.{TREE}"
    assert flow["version"] == 1
    assert flow["external_version"].startswith("sklearn==")
    assert flow["executable"] is True

    configuration = submitted["configuration"]
    assert set(configuration) == {"id", "hash", "parameters"}
    assert configuration["parameters"] == RANDOM_TREE_VALUES
    assert list(configuration["parameters"]) == sorted(RANDOM_TREE_VALUES)
    assert re.fullmatch(r"[0-9a-f]{64}", configuration["hash"])
    assert configuration["hash"] == configuration_hash(RANDOM_TREE_VALUES)

    runs = submitted["runs"]
    assert [run["seed"] for run in runs] == [0, 1, 2]
    assert len({run["id"] for run in runs}) == 3
    for run in runs:
        assert run["origin"] == "server"
        assert run["verified"] is False  # not before it is done
        assert run["queue_position"] is None or isinstance(run["queue_position"], int)
        assert run["flow"]["id"] == flow["id"]
        assert run["configuration"]["id"] == configuration["id"]
        assert run["url"] == f"/api/v1/runs/{run['id']}/"
    assert submitted["reused"] == [False, False, False]
    limit = settings.TUNEBENCH_EXECUTE_DAILY_QUOTA
    assert submitted["quota"] == {"used": 3, "limit": limit, "remaining": limit - 3}


def test_an_executed_run_is_done_verified_with_resources_timings_and_scores(
    auth_client, task, submitted
):
    folds = task.estimation_procedure.folds * task.estimation_procedure.repeats
    for submitted_run in submitted["runs"]:
        run = run_detail(auth_client, submitted_run["id"])
        assert run["status"] == "done", run["error"]
        assert run["error"] is None
        assert (run["origin"], run["verified"], run["queue_position"]) == ("server", True, None)
        assert run["seed"] == submitted_run["seed"]
        assert run["task"]["id"] == task.pk
        assert run["configuration"] == {
            "id": submitted["configuration"]["id"],
            "parameters": RANDOM_TREE_VALUES,
        }
        assert run["resources"]["peak_memory_mb"] > 0
        assert run["resources"]["wall_seconds"] >= 0
        assert run["resources"]["memory_limit_mb"] > 0
        assert len(run["fold_timings"]) == folds
        assert {(t["repeat"], t["fold"]) for t in run["fold_timings"]} == {
            (0, fold) for fold in range(folds)
        }
        assert all(t["fit_seconds"] is not None for t in run["fold_timings"])
        assert run["environment"]["libraries"]["scikit-learn"]
        measures = {e["measure"]: e for e in run["evaluations"]}
        assert task.evaluation_measure in measures
        accuracy = measures[task.evaluation_measure]
        assert 0 <= accuracy["value"] <= 1
        assert len(accuracy["per_fold"]) == folds

        # The predictions download is the stored file, with its checksum.
        assert run["predictions"]["format"] == "parquet"
        download = auth_client.get(run["predictions"]["url"])
        assert download.status_code == 200
        content = b"".join(download.streaming_content)
        assert content[:4] == b"PAR1"
        assert len(content) == run["predictions"]["size"]
        assert hashlib.sha256(content).hexdigest() == run["predictions"]["sha256"]
        assert download["X-Checksum-SHA256"] == run["predictions"]["sha256"]


def test_the_servers_flow_is_executable_and_has_no_uploader(api_client, submitted):
    response = api_client.get(f"/api/v1/flows/{submitted['flow']['id']}/")
    assert response.status_code == 200
    flow = response.json()
    assert flow["executable"] is True
    assert flow["estimator"] == TREE
    assert flow["uploader"] is None
    assert flow["name"] == f"tunebench.{TREE}"
    assert {p["name"] for p in flow["parameters"]} == set(RANDOM_TREE_VALUES)


# -- reuse and default seeds -------------------------------------------------------------


def test_the_same_submission_again_reuses_its_runs(auth_client, task, settings, submitted):
    ids = [run["id"] for run in submitted["runs"]]
    again = post(auth_client, body(task, parameters=RANDOM_TREE, seeds=[0, 1, 2]))
    assert again.status_code == 200, again.content
    assert again.json()["reused"] == [True, True, True]
    assert [run["id"] for run in again.json()["runs"]] == ids
    assert [run["status"] for run in again.json()["runs"]] == ["done"] * 3
    assert again.json()["configuration"]["id"] == submitted["configuration"]["id"]
    limit = settings.TUNEBENCH_EXECUTE_DAILY_QUOTA
    assert again.json()["quota"] == {"used": 3, "limit": limit, "remaining": limit - 3}

    # The same values spelled out (defaults given, another key order) are the same
    # configuration; the seeds come back in the order asked.
    spelled = dict(reversed(list(RANDOM_TREE_VALUES.items())))
    same = post(auth_client, body(task, parameters=spelled, seeds=[2, 0]))
    assert same.status_code == 200, same.content
    assert [run["id"] for run in same.json()["runs"]] == [ids[2], ids[0]]

    # One new seed among old ones: 201, only that one is new.
    mixed = post(auth_client, body(task, parameters=RANDOM_TREE, seeds=[1, 7]))
    assert mixed.status_code == 201, mixed.content
    assert mixed.json()["reused"] == [True, False]
    assert mixed.json()["runs"][0]["id"] == ids[1]
    assert Run.objects.count() == 4


@pytest.mark.parametrize("seeds", ["omitted", []])
def test_without_seeds_the_default_five_seeds_are_used(auth_client, task, seeds):
    data = body(task)
    if seeds == "omitted":
        del data["seeds"]
    else:
        data["seeds"] = seeds
    response = post(auth_client, data)  # on-commit callbacks not run: nothing executes
    assert response.status_code == 201, response.content
    assert [run["seed"] for run in response.json()["runs"]] == [0, 1, 2, 3, 4]
    assert [run["status"] for run in response.json()["runs"]] == ["queued"] * 5
    assert response.json()["reused"] == [False] * 5
    assert Run.objects.filter(origin="server").count() == 5


def test_the_largest_seed_is_accepted(auth_client, task):
    response = post(auth_client, body(task, seeds=[2**32 - 1, 0]))
    assert response.status_code == 201, response.content
    assert [run["seed"] for run in response.json()["runs"]] == [2**32 - 1, 0]


# -- refusals ----------------------------------------------------------------------------


def deep_list(depth: int):
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


BAD_INPUT = {
    # estimator names outside the registry: never imported, never code
    "os.system": ({"estimator": "os.system"}, "estimator_not_allowed", {"estimator"}),
    "FunctionTransformer": (
        {"estimator": "sklearn.preprocessing.FunctionTransformer"},
        "estimator_not_allowed",
        {"estimator"},
    ),
    "import expression": (
        {"estimator": "__import__('os')"},
        "estimator_not_allowed",
        {"estimator"},
    ),
    "empty name": ({"estimator": ""}, "invalid", {"estimator"}),
    "10,000-char name": ({"estimator": "a" * 10_000}, "invalid", {"estimator"}),
    "a number as name": ({"estimator": 42}, "estimator_not_allowed", {"estimator"}),
    "a list as name": ({"estimator": [TREE]}, "invalid", {"estimator"}),
    "null name": ({"estimator": None}, "invalid", {"estimator"}),
    "regressor on classification": (
        {"estimator": "sklearn.linear_model.Ridge"},
        "wrong_task_type",
        {"estimator"},
    ),
    # parameters
    "unknown parameter": (
        {"parameters": {"max_dept": 3}},
        "unknown_parameter",
        {"parameters.max_dept"},
    ),
    "string for an int": ({"parameters": {"max_depth": "3"}}, "bad_type", {"parameters.max_depth"}),
    "true for an int": ({"parameters": {"max_depth": True}}, "bad_type", {"parameters.max_depth"}),
    "3.5 for an int": ({"parameters": {"max_depth": 3.5}}, "bad_type", {"parameters.max_depth"}),
    "3.0 for an int": ({"parameters": {"max_depth": 3.0}}, "bad_type", {"parameters.max_depth"}),
    "not a choice": (
        {"parameters": {"criterion": "entropyy"}},
        "not_a_choice",
        {"parameters.criterion"},
    ),
    "out of range": ({"parameters": {"max_depth": 0}}, "out_of_range", {"parameters.max_depth"}),
    "above range": (
        {"parameters": {"min_weight_fraction_leaf": 0.75}},
        "out_of_range",
        {"parameters.min_weight_fraction_leaf"},
    ),
    "huge int in range of JSON": (
        {"parameters": {"max_depth": 2**63 - 1}},
        "out_of_range",
        {"parameters.max_depth"},
    ),
    "not applicable": (
        {"estimator": "sklearn.svm.SVC", "parameters": {"kernel": "rbf", "degree": 2}},
        "not_applicable",
        {"parameters.degree"},
    ),
    "n_jobs": ({"parameters": {"n_jobs": 2}}, "forbidden_parameter", {"parameters.n_jobs"}),
    "random_state": (
        {"parameters": {"random_state": 1}},
        "forbidden_parameter",
        {"parameters.random_state"},
    ),
    "excluded": (
        {"parameters": {"monotonic_cst": [1, 0]}},
        "forbidden_parameter",
        {"parameters.monotonic_cst"},
    ),
    "nested value": (
        {"parameters": {"max_depth": deep_list(10), "splitter": {"a": 1}}},
        "too_deep",
        {"parameters.max_depth", "parameters.splitter"},
    ),
    "parameters a list": ({"parameters": ["max_depth"]}, "bad_type", {"parameters"}),
    "parameters a string": ({"parameters": "max_depth=3"}, "bad_type", {"parameters"}),
    "parameters null": ({"parameters": None}, "invalid", {"parameters"}),
    # seeds
    "seeds a string": ({"seeds": "0,1"}, "bad_type", {"seeds"}),
    "seeds a number": ({"seeds": 3}, "bad_type", {"seeds"}),
    "seeds an object": ({"seeds": {"0": 1}}, "bad_type", {"seeds"}),
    "seeds null": ({"seeds": None}, "invalid", {"seeds"}),
    "too many seeds": ({"seeds": list(range(26))}, "too_many", {"seeds"}),
    "a bool seed": ({"seeds": [True]}, "bad_type", {"seeds.0"}),
    "a float seed": ({"seeds": [0, 1.0]}, "bad_type", {"seeds.1"}),
    "a string seed": ({"seeds": ["1"]}, "bad_type", {"seeds.0"}),
    "a negative seed": ({"seeds": [-1]}, "out_of_range", {"seeds.0"}),
    "a seed above 2**32-1": ({"seeds": [2**32]}, "out_of_range", {"seeds.0"}),
    "duplicate seeds": ({"seeds": [0, 1, 0]}, "duplicate", {"seeds.2"}),
    # the rest of the body
    "unknown task": ({"task": 10**6}, "unknown_task", {"task"}),
    "task zero": ({"task": 0}, "invalid", {"task"}),
    "task a string": ({"task": "one"}, "invalid", {"task"}),
    "nonexistent team": ({"team_id": 10**6}, "invalid", {"team_id"}),
    "unknown field": ({"seed": 0}, "invalid", {"seed"}),
    "description too long": (
        {"description": "x" * 100_001},
        "too_long",
        {"description"},
    ),
    "tag too long": ({"tags": ["x" * 65]}, "invalid", {"tags.0"}),
}


@pytest.mark.parametrize(
    ("fields", "code", "errors"), list(BAD_INPUT.values()), ids=list(BAD_INPUT)
)
def test_bad_input_is_a_400_naming_the_field(auth_client, task, fields, code, errors):
    response = post(auth_client, body(task, **fields))
    problem = problem_of(response, 400, code, errors)
    assert problem["detail"]
    assert nothing_stored()


def test_the_field_codes_of_serializer_refusals(auth_client, task):
    def field_codes(**fields):
        response = post(auth_client, body(task, **fields))
        return codes_of(problem_of(response, 400, "invalid"))

    assert field_codes(estimator="a" * 10_000) == {"estimator": ["max_length"]}
    assert field_codes(estimator=None) == {"estimator": ["null"]}
    assert field_codes(parameters=None) == {"parameters": ["null"]}
    assert field_codes(seeds=None) == {"seeds": ["null"]}
    assert field_codes(team_id=10**6) == {"team_id": ["team_not_found"]}
    assert field_codes(seed=0) == {"seed": ["unknown_field"]}
    assert nothing_stored()


def test_an_unknown_parameter_is_told_the_nearest_name(auth_client, task):
    response = post(auth_client, body(task, parameters={"max_dept": 3}))
    problem = problem_of(response, 400, "unknown_parameter", {"parameters.max_dept"})
    assert "max_depth" in problem["errors"]["parameters.max_dept"][0]["message"]


def test_every_problem_is_listed_and_the_code_is_the_firsts(auth_client, task):
    response = post(
        auth_client,
        body(
            task,
            estimator="sklearn.linear_model.Ridge",  # a regressor on a classification task
            parameters={"alpha": -1.0, "bogus": 1, "n_jobs": 2},
            seeds=[0, 0],
        ),
    )
    problem = problem_of(
        response,
        400,
        "wrong_task_type",
        {"estimator", "parameters.alpha", "parameters.bogus", "parameters.n_jobs", "seeds.1"},
    )
    assert codes_of(problem) == {
        "estimator": ["wrong_task_type"],
        "parameters.alpha": ["out_of_range"],
        "parameters.bogus": ["unknown_parameter"],
        "parameters.n_jobs": ["forbidden_parameter"],
        "seeds.1": ["duplicate"],
    }
    assert problem["total"] == 5
    assert problem["detail"].startswith("estimator: ")
    assert problem["detail"].endswith("(and 4 more)")
    assert nothing_stored()


@pytest.mark.parametrize(
    "text",
    [
        '{"task": %d, "estimator": "%s", "parameters": {"ccp_alpha": NaN}}',
        '{"task": %d, "estimator": "%s", "parameters": {"ccp_alpha": Infinity}}',
        '{"task": %d, "estimator": "%s", "parameters": {"ccp_alpha": -Infinity}}',
        '{"task": %d, "estimator": "%s", "seeds": [NaN]}',
    ],
    ids=["nan", "infinity", "-infinity", "nan-seed"],
)
def test_non_finite_numbers_in_the_body_are_refused_by_the_parser(auth_client, task, text):
    response = post_raw(auth_client, text % (task.pk, TREE))
    problem = problem_of(response, 400, "parse_error", set())
    assert "finite" in problem["detail"]
    assert nothing_stored()


def test_nesting_beyond_the_parsers_cap_is_refused(auth_client, task):
    response = post(auth_client, body(task, parameters={"max_depth": deep_list(100)}))
    problem = problem_of(response, 400, "parse_error", set())
    assert "nested" in problem["detail"]
    assert nothing_stored()


def test_a_duplicate_key_is_refused_by_the_parser(auth_client, task):
    text = '{"task": %d, "estimator": "%s", "parameters": {"max_depth": 3, "max_depth": null}}'
    problem = problem_of(post_raw(auth_client, text % (task.pk, TREE)), 400, "parse_error", set())
    assert "twice" in problem["detail"]
    assert nothing_stored()


def test_a_classifier_is_refused_on_a_regression_task(auth_client, regression_task):
    response = post(auth_client, body(regression_task))
    problem = problem_of(response, 400, "wrong_task_type", {"estimator"})
    assert "regression" in problem["errors"]["estimator"][0]["message"]
    assert nothing_stored()


def test_a_task_that_is_not_active_is_refused(auth_client, task):
    from tasks.models import Task

    Task.objects.filter(pk=task.pk).update(status=Task.Status.PROCESSING)
    problem_of(post(auth_client, body(task)), 400, "task_not_active", {"task"})
    assert nothing_stored()


def test_a_team_you_are_not_in_is_forbidden(auth_client, task):
    other = make_team(owner=UserFactory(), name="Other")
    response = post(auth_client, body(task, team_id=other.pk))
    problem_of(response, 403, "not_team_member", {"team_id"})
    assert nothing_stored()


def test_a_team_you_are_in_gets_the_runs(auth_client, task, user):
    team = make_team(owner=user, name="Mine")
    response = post(auth_client, body(task, team_id=team.pk, tags=["sweep"]))
    assert response.status_code == 201, response.content
    [run] = response.json()["runs"]
    assert run["team"]["id"] == team.pk
    assert run["tags"] == ["sweep"]


def test_a_task_you_cannot_see_is_an_unknown_task(task):
    Dataset.objects.filter(pk=task.dataset_id).update(visibility="private")
    response = post(client_for(UserFactory()), body(task))
    problem_of(response, 400, "unknown_task", {"task"})
    assert nothing_stored()


def test_anonymous_submissions_are_401(api_client, task):
    response = post(api_client, body(task))
    problem_of(response, 401, "not_authenticated")
    assert nothing_stored()


def test_only_json_is_accepted(auth_client, task):
    response = auth_client.post(URL, {"task": task.pk, "estimator": TREE}, format="multipart")
    problem_of(response, 415, "unsupported_media_type")
    assert nothing_stored()


HOSTILE_RAW = [
    "[1, 2]",
    "null",
    '"text"',
    "42",
    "true",
    "",
    "{",
    '{"task": 1, "estimator": "\\ud800"}',
    '{"task": 1, "estimator": "x", "parameters": {"\\udfff": 1}}',
    '{"task": 1, "estimator": "x", "seeds": [1e999]}',
    '{"task": 1, "estimator": "x", "seeds": [100000000000000000000000000000]}',
    '{"task": 1e400, "estimator": "x"}',
    "[" * 100_000,
]


@pytest.mark.parametrize("text", HOSTILE_RAW, ids=range(len(HOSTILE_RAW)))
def test_hostile_raw_bodies_are_never_a_server_error(auth_client, task, text):
    response = post_raw(auth_client, text)
    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert nothing_stored()


def test_undecodable_bytes_are_a_parse_error(auth_client, task):
    response = post_raw(auth_client, b'{"task": 1, "estimator": "\xff\xfe"}')
    problem_of(response, 400, "parse_error", set())


def hostile_bodies(task) -> list:
    pk = task.pk
    return [
        [body(task)],
        {
            "task": None,
            "estimator": None,
            "parameters": None,
            "seeds": None,
            "team_id": None,
            "tags": None,
            "description": None,
        },
        {},
        body(task, seeds=[10**30]),
        body(task, seeds=[2**63 - 1, -(2**63)]),
        body(task, parameters={"max_depth": 10**30}),
        body(task, parameters={"ccp_alpha": 10**30}),
        body(task, parameters={"ccp_alpha": 1e308, "max_depth": -(2**63)}),
        body(task, task=10**30),
        body(task, task=2**63 - 1),
        body(task, task=-1),
        body(task, task=[pk]),
        body(task, task={"id": pk}),
        body(task, task=True),
        body(task, team_id="abc"),
        body(task, team_id=[1]),
        body(task, team_id=10**30),
        body(task, team_id=True),
        body(task, estimator={"name": TREE}),
        body(task, estimator=TREE + "\x00"),
        body(task, estimator="\u202e" + TREE),
        body(task, estimator="sklearn." * 60),
        body(task, estimator="tunebench." + TREE),
        body(task, parameters={"": 1, "a b": 2, "1": 3, "max depth": 1, "__class__": 4}),
        body(task, parameters={"x" * 10_000: 1, "max_depth\x00": 2, "é": 3, "a.b": 4}),
        body(task, parameters={"max_depth": {"__class__": "os.system"}}),
        body(task, parameters={"max_features": ["sqrt"]}),
        body(task, parameters={"max_features": None, "class_weight": {"a": 1.0}}),
        body(task, parameters=True),
        body(task, parameters=3),
        body(task, seeds=[[0]]),
        body(task, seeds=[{"seed": 0}]),
        body(task, seeds=[None]),
        body(task, seeds=list(range(10_000))),
        body(task, seeds=True),
        body(task, seeds=False),
        body(task, tags=None),
        body(task, tags=[None]),
        body(task, tags=[{"a": 1}]),
        body(task, tags="x" * 10_000),
        body(task, tags=[f"t{i}" for i in range(10_000)]),
        body(task, description=None),
        body(task, description=["a"]),
        body(task, description="\x00"),
    ]


def test_hostile_bodies_are_never_a_server_error(auth_client, task):
    for data in hostile_bodies(task):
        response = post(auth_client, data)
        assert 400 <= response.status_code < 500, (str(data)[:300], response.content[:300])
        assert response["Content-Type"].startswith("application/problem+json"), data
        assert response.json()["code"], data
    assert nothing_stored()


# -- quota -------------------------------------------------------------------------------


def test_a_submission_over_the_daily_quota_is_429_and_stores_nothing(auth_client, task, settings):
    settings.TUNEBENCH_EXECUTE_DAILY_QUOTA = 2
    response = post(auth_client, body(task, seeds=[0, 1, 2]))
    problem = problem_of(response, 429, "quota_exceeded", {"seeds"})
    assert (problem["used"], problem["limit"]) == (0, 2)
    assert nothing_stored()

    within = post(auth_client, body(task, seeds=[0, 1]))
    assert within.status_code == 201, within.content
    assert within.json()["quota"] == {"used": 2, "limit": 2, "remaining": 0}

    more = post(auth_client, body(task, seeds=[2]))
    problem = problem_of(more, 429, "quota_exceeded", {"seeds"})
    assert (problem["used"], problem["limit"]) == (2, 2)
    assert Run.objects.count() == 2

    # Seeds that already ran cost nothing: asking for them again is answered.
    again = post(auth_client, body(task, seeds=[1, 0]))
    assert again.status_code == 200, again.content
    assert again.json()["reused"] == [True, True]


# -- seeds of a configuration ------------------------------------------------------------


def test_a_configuration_reports_its_seeds_across_executed_runs(
    auth_client, task, regression_task, submitted
):
    configuration = submitted["configuration"]["id"]
    url = f"/api/v1/configurations/{configuration}/seeds/"
    response = auth_client.get(url)
    assert response.status_code == 200, response.content
    [summary] = response.json()
    run_ids = [run["id"] for run in submitted["runs"]]
    assert summary["task"] == task.pk
    assert summary["configuration"] == configuration
    assert summary["seeds"] == [0, 1, 2]
    assert summary["runs"] == run_ids

    values: dict[str, list[float]] = {}
    for run_id in run_ids:
        for evaluation in run_detail(auth_client, run_id)["evaluations"]:
            if evaluation["value"] is not None:
                values.setdefault(evaluation["measure"], []).append(evaluation["value"])
    assert [m["measure"] for m in summary["measures"]] == sorted(values)
    assert task.evaluation_measure in values
    for measure in summary["measures"]:
        observed = values[measure["measure"]]
        assert measure["n"] == len(observed) == 3
        assert measure["mean"] == pytest.approx(math.fsum(observed) / 3)
        assert measure["std"] is not None
        assert measure["std"] >= 0
        mean = math.fsum(observed) / 3
        assert measure["std"] == pytest.approx(
            math.sqrt(math.fsum((v - mean) ** 2 for v in observed) / 2), abs=1e-12
        )
        assert measure["low"] <= measure["mean"] <= measure["high"]
        if measure["std"] == 0:
            assert measure["low"] == measure["high"] == measure["mean"]
        else:
            assert measure["low"] < measure["mean"] < measure["high"]

    # ?task= narrows to one task; another task has no runs of it.
    assert auth_client.get(url, {"task": task.pk}).json() == [summary]
    assert auth_client.get(url, {"task": regression_task.pk}).json() == []
    bad = auth_client.get(url, {"task": "abc"})
    assert (bad.status_code, set(bad.json()["errors"])) == (400, {"task"})


def test_the_seeds_of_an_unknown_or_invisible_configuration_are_404(auth_client, task, submitted):
    unknown = auth_client.get(f"/api/v1/configurations/{10**6}/seeds/")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "configuration_not_found")

    url = f"/api/v1/configurations/{submitted['configuration']['id']}/seeds/"
    stranger = client_for(UserFactory())
    visible = stranger.get(url)
    assert visible.status_code == 200
    assert visible.json()[0]["seeds"] == [0, 1, 2]

    Dataset.objects.filter(pk=task.dataset_id).update(visibility="private")
    hidden = stranger.get(url)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "configuration_not_found")
    anonymous = APIClient().get(url)
    assert (anonymous.status_code, anonymous.json()["code"]) == (404, "configuration_not_found")
    assert auth_client.get(url).status_code == 200  # the owner still sees it


# -- leaderboard -------------------------------------------------------------------------


def test_the_leaderboard_shows_the_verified_run_with_its_seed_interval(
    auth_client, task, submitted
):
    response = auth_client.get(f"/api/v1/tasks/{task.pk}/leaderboard/")
    assert response.status_code == 200, response.content
    board = response.json()
    assert board["measure"] == task.evaluation_measure
    [entry] = board["entries"]
    run_ids = [run["id"] for run in submitted["runs"]]
    scores = {
        run_id: next(
            e["value"]
            for e in run_detail(auth_client, run_id)["evaluations"]
            if e["measure"] == task.evaluation_measure
        )
        for run_id in run_ids
    }
    assert entry["run"] in run_ids
    assert entry["value"] == max(scores.values())
    assert entry["verified"] is True
    assert entry["configuration"] == submitted["configuration"]["id"]
    assert entry["flow"]["id"] == submitted["flow"]["id"]
    assert entry["runs"] == 3
    seeds = entry["seeds"]
    assert seeds["measure"] == task.evaluation_measure
    assert seeds["n"] == 3
    assert seeds["mean"] == pytest.approx(math.fsum(scores.values()) / 3)
    assert seeds["low"] <= seeds["mean"] <= seeds["high"]


# -- queue positions ---------------------------------------------------------------------


def test_waiting_runs_show_their_place_in_the_queue(
    auth_client, task, ingest, settings, monkeypatch
):
    import runs.jobs

    settings.TUNEBENCH_EXECUTE_SLOTS = 1
    sent: list[tuple] = []
    monkeypatch.setattr(runs.jobs.execute_run_job, "delay", lambda *args: sent.append(args))
    response = ingest(post, auth_client, body(task, seeds=[0, 1, 2]))
    assert response.status_code == 201, response.content
    ids = [run["id"] for run in response.json()["runs"]]
    # Answered before its commit dispatched anything: every run is waiting.
    assert [run["queue_position"] for run in response.json()["runs"]] == [1, 2, 3]
    # On commit, the one slot went to the first run; the others wait behind it.
    assert sent == [(ids[0], 1)]

    details = [run_detail(auth_client, run_id) for run_id in ids]
    assert [run["queue_position"] for run in details] == [None, 1, 2]
    assert [run["status"] for run in details] == ["queued"] * 3

    listed = auth_client.get("/api/v1/runs/", {"origin": "server"})
    assert listed.status_code == 200
    positions = {run["id"]: run["queue_position"] for run in listed.json()["results"]}
    assert positions == {ids[0]: None, ids[1]: 1, ids[2]: 2}

    # Uploaded runs are not in the line.
    uploaded = auth_client.get("/api/v1/runs/", {"origin": "uploaded"})
    assert uploaded.status_code == 200
    assert uploaded.json()["results"] == []
