"""``/api/v1/runs/``, ``/evaluations/``, ``/measures/`` and ``/tasks/{id}/leaderboard/``:
uploads in every format scored by the worker, downloads, filters, leaderboards, visibility."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.services import create_api_key
from flows.models import Configuration
from flows.services import create_flow, get_or_create_configuration
from runs.models import Evaluation, Run, RunFile
from tasks.models import Task
from tasks.services import create_task
from tests.datasets.conftest import bytes_of, upload
from tests.factories import UserFactory, make_team
from tests.runs.conftest import (
    FLOWERS,
    LABELS,
    as_csv,
    as_parquet,
    predictions,
    regression_predictions,
)

pytestmark = pytest.mark.django_db

ENVIRONMENT = {"python": "3.11.9", "libraries": {"scikit-learn": "1.5.2"}, "host": "laptop"}
TIMINGS = [
    {"repeat": 0, "fold": 1, "fit_seconds": 0.5},
    {"repeat": 0, "fold": 0, "fit_seconds": 0.12, "predict_seconds": 0.01},
]


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _, raw = create_api_key(user=user, name="t")
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def as_arff(frame: pd.DataFrame) -> bytes:
    """OpenML's predictions ARFF: numeric ids, the prediction nominal over the task's labels."""
    lines = ["@RELATION predictions"]
    for name in frame.columns:
        kind = "{" + ",".join(LABELS) + "}" if name == "prediction" else "NUMERIC"
        lines.append(f"@ATTRIBUTE {name} {kind}")
    lines.append("@DATA")
    lines += [",".join(str(v) for v in row) for row in frame.itertuples(index=False)]
    return ("\n".join(lines) + "\n").encode()


ENCODERS = {"csv": as_csv, "parquet": as_parquet, "arff": as_arff}


def post_run(client, task, body: bytes, *, filename: str = "predictions", **fields):
    data = {"task": task.pk, "predictions": SimpleUploadedFile(filename, body)}
    data.update({key: value for key, value in fields.items() if value is not None})
    return client.post("/api/v1/runs/", data, format="multipart")


def scored(ingest, client, task, flow, frame, **fields) -> dict:
    """Upload through the API and run the scoring job; the run as the API shows it after."""
    response = ingest(post_run, client, task, as_csv(frame), flow=flow.pk, **fields)
    assert response.status_code == 201, response.json()
    return client.get(response.json()["url"]).json()


def evaluations_of(run_id: int) -> list[dict]:
    return [
        {
            "measure": e.measure,
            "value": e.value,
            "std": e.std,
            "per_fold": [{"repeat": r, "fold": f, "value": v} for r, f, v in e.per_fold],
        }
        for e in Evaluation.objects.filter(run_id=run_id).order_by("measure")
    ]


# -- upload, scoring, download -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet", "arff"])
def test_an_uploaded_run_is_stored_scored_and_downloadable(
    auth_client, user, task, flow, ingest, fmt
):
    body = ENCODERS[fmt](predictions(task, correct=0.75))
    response = ingest(
        post_run,
        auth_client,
        task,
        body,
        filename=f"whatever.{fmt}",  # the format is read from the content
        flow=flow.pk,
        parameters='{"max_depth": 3, "ccp_alpha": 0}',
        seed=7,
        environment=json.dumps(ENVIRONMENT),
        fold_timings=json.dumps(TIMINGS),
        tags=["b", "a"],
        description="First try.",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    run = Run.objects.get()
    assert created == {
        "id": run.pk,
        "url": f"/api/v1/runs/{run.pk}/",
        "task": {
            "id": task.pk,
            "dataset": {"id": task.dataset_id, "name": "flowers"},
            "target": "kind",
            "evaluation_measure": "predictive_accuracy",
        },
        "flow": {
            "id": flow.pk,
            "name": flow.name,
            "version": 1,
            "external_version": "sklearn==1.5.2",
            "executable": False,
        },
        "configuration": {
            "id": run.configuration_id,
            "parameters": {
                "max_depth": 3,
                "min_samples_leaf": 1,
                "ccp_alpha": 0.0,
                "criterion": "gini",
            },
        },
        "uploader": {"id": user.pk, "username": user.username},
        "team": None,
        "origin": "uploaded",
        "verified": False,
        "status": "queued",  # the scoring job runs after the request's transaction commits
        "queue_position": None,
        "error": None,
        "seed": 7,
        "environment": ENVIRONMENT,
        "fold_timings": [
            {"repeat": 0, "fold": 0, "fit_seconds": 0.12, "predict_seconds": 0.01},
            {"repeat": 0, "fold": 1, "fit_seconds": 0.5, "predict_seconds": None},
        ],
        "resources": None,
        "verification": None,
        "tags": ["a", "b"],
        "description": "First try.",
        "created_at": created["created_at"],
        "started_at": None,
        "finished_at": None,
        "predictions": {
            "format": fmt,
            "size": len(body),
            "md5": hashlib.md5(body, usedforsecurity=False).hexdigest(),
            "sha256": hashlib.sha256(body).hexdigest(),
            "url": f"/api/v1/runs/{run.pk}/predictions/",
        },
        "evaluations": [],
    }

    detail = auth_client.get(created["url"]).json()
    assert (detail["status"], detail["error"]) == ("done", None)
    assert detail["finished_at"] is not None
    assert detail["evaluations"] == evaluations_of(run.pk)
    accuracy = next(e for e in detail["evaluations"] if e["measure"] == "predictive_accuracy")
    assert accuracy["value"] == pytest.approx(0.75, abs=0.05)
    assert [(f["repeat"], f["fold"]) for f in accuracy["per_fold"]] == [(0, f) for f in range(10)]
    assert {e["measure"] for e in detail["evaluations"]} >= {
        "predictive_accuracy",
        "area_under_roc_curve",
        "f_measure",
    }
    assert {key: detail[key] for key in created if key not in DONE_KEYS} == {
        key: value for key, value in created.items() if key not in DONE_KEYS
    }

    download = APIClient().get(created["predictions"]["url"])
    assert download.status_code == 200
    assert bytes_of(download) == body
    assert download["X-Checksum-SHA256"] == hashlib.sha256(body).hexdigest()
    assert download["X-Checksum-MD5"] == hashlib.md5(body, usedforsecurity=False).hexdigest()
    expected_name = f"run-{run.pk}-predictions.{fmt}"
    assert expected_name in download["Content-Disposition"]


DONE_KEYS = {"status", "started_at", "finished_at", "evaluations"}


def test_a_run_names_a_stored_configuration_instead_of_a_flow(auth_client, task, flow, ingest):
    configuration, _ = get_or_create_configuration(flow=flow, parameters={"max_depth": 2})
    frame = predictions(task)
    response = ingest(post_run, auth_client, task, as_csv(frame), configuration=configuration.pk)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["configuration"] == {"id": configuration.pk, "parameters": configuration.parameters}
    assert body["flow"]["id"] == flow.pk
    assert Configuration.objects.count() == 1
    # The same values through flow + parameters reuse that configuration.
    again = post_run(auth_client, task, as_csv(frame), flow=flow.pk, parameters='{"max_depth": 2}')
    assert again.json()["configuration"]["id"] == configuration.pk


def test_a_run_for_a_team_you_belong_to_counts_for_it(auth_client, user, task, flow):
    team = make_team(owner=user, name="Lab")
    response = post_run(auth_client, task, as_csv(predictions(task)), flow=flow.pk, team_id=team.pk)
    assert response.status_code == 201, response.json()
    assert response.json()["team"] == {"id": team.pk, "slug": team.slug, "name": "Lab"}


def test_a_team_you_are_not_in_is_403_and_stores_nothing(auth_client, task, flow, settings):
    team = make_team(owner=UserFactory(), name="Others")
    response = post_run(auth_client, task, as_csv(predictions(task)), flow=flow.pk, team_id=team.pk)
    assert response.status_code == 403
    assert response.json()["code"] == "not_team_member"
    assert response.json()["errors"]["team_id"][0]["code"] == "not_team_member"
    assert_nothing_stored(settings)


def test_an_unknown_team_is_400(auth_client, task, flow, settings):
    response = post_run(auth_client, task, as_csv(predictions(task)), flow=flow.pk, team_id=99999)
    assert response.status_code == 400
    assert response.json()["errors"]["team_id"][0]["code"] == "team_not_found"
    assert_nothing_stored(settings)


def test_an_upload_over_the_cap_is_413_and_stores_nothing(auth_client, task, flow, settings):
    settings.TUNEBENCH_MAX_UPLOAD_BYTES = 10
    response = post_run(auth_client, task, as_csv(predictions(task)), flow=flow.pk)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert_nothing_stored(settings)


def test_anonymous_cannot_upload(api_client, task, flow, settings):
    response = post_run(api_client, task, as_csv(predictions(task)), flow=flow.pk)
    assert response.status_code == 401
    assert_nothing_stored(settings)


def test_runs_are_uploaded_as_multipart_only(auth_client, task, flow):
    response = auth_client.post("/api/v1/runs/", {"task": task.pk, "flow": flow.pk}, format="json")
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")


def assert_nothing_stored(settings) -> None:
    assert not Run.objects.exists()
    assert not RunFile.objects.exists()
    assert not Configuration.objects.exists()
    runs_dir = Path(settings.MEDIA_ROOT) / "runs"
    assert not runs_dir.exists() or not any(p.is_file() for p in runs_dir.rglob("*"))


# -- lists and filters ---------------------------------------------------------------------------


@pytest.fixture
def league(user, task, regression_task, flow, ingest):
    """Runs of three people on two tasks: done, queued, with a team and tags."""
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    team = make_team(owner=alice, name="Lab", members=(bob,))
    mean, _ = create_flow(uploader=user, spec={"name": "mean", "external_version": "1"})
    alice_client, bob_client = client_for(alice), client_for(bob)
    first = scored(
        ingest, alice_client, task, flow, predictions(task, correct=0.5), team_id=team.pk, tags="x"
    )
    second = scored(
        ingest, bob_client, task, flow, predictions(task), parameters='{"max_depth": 2}'
    )
    queued = post_run(
        client_for(user),
        regression_task,
        as_csv(regression_predictions(regression_task)),
        flow=mean.pk,
        tags="x,y",
    ).json()
    return {
        "alice": alice,
        "bob": bob,
        "team": team,
        "mean": mean,
        "runs": [first, second, queued],
    }


def test_runs_are_listed_newest_first_and_filtered(league, api_client, task, flow, user):
    first, second, queued = (r["id"] for r in league["runs"])

    def ids(**params):
        response = api_client.get("/api/v1/runs/", params)
        assert response.status_code == 200, response.json()
        return [r["id"] for r in response.json()["results"]]

    assert ids() == [queued, second, first]
    assert ids(task=task.pk) == [second, first]
    assert ids(flow=flow.pk) == [second, first]
    assert ids(flow=league["mean"].pk) == [queued]
    assert ids(configuration=league["runs"][1]["configuration"]["id"]) == [second]
    assert ids(uploader="ALICE") == [first]
    assert ids(team=league["team"].pk) == [first]
    assert ids(status="done") == [second, first]
    assert ids(status="queued") == [queued]
    assert ids(tag="x") == [queued, first]
    assert ids(origin="uploaded") == [queued, second, first]
    assert ids(origin="server") == []
    listed = api_client.get("/api/v1/runs/").json()["results"]
    detail = api_client.get(f"/api/v1/runs/{first}/").json()
    # A list carries the aggregates; the per-fold values and timings are on the run itself.
    del detail["fold_timings"]
    for evaluation in detail["evaluations"]:
        del evaluation["per_fold"]
    assert listed[2] == detail


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"task": "abc"}, "task"),
        ({"flow": "0"}, "flow"),
        ({"configuration": "-1"}, "configuration"),
        ({"team": "1.5"}, "team"),
        ({"task": str(2**63)}, "task"),
        ({"status": "finished"}, "status"),
        ({"origin": "web"}, "origin"),
    ],
)
def test_bad_run_filters_are_400_naming_the_parameter(api_client, params, field):
    response = api_client.get("/api/v1/runs/", params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_list_queries_do_not_grow_with_runs(
    league, auth_client, task, flow, ingest, django_assert_max_num_queries
):
    for _ in range(3):
        scored(ingest, auth_client, task, flow, predictions(task))
    with django_assert_max_num_queries(10):
        response = auth_client.get("/api/v1/runs/")
    assert response.json()["count"] == 6
    with django_assert_max_num_queries(10):
        response = auth_client.get("/api/v1/evaluations/")
    assert response.json()["count"] == Evaluation.objects.count()
    with django_assert_max_num_queries(10):
        response = auth_client.get(f"/api/v1/tasks/{task.pk}/leaderboard/")
    assert len(response.json()["entries"]) == 3


def test_an_unknown_run_is_404(api_client):
    response = api_client.get("/api/v1/runs/4242/")
    assert (response.status_code, response.json()["code"]) == (404, "run_not_found")
    assert api_client.get("/api/v1/runs/4242/predictions/").status_code == 404


# -- evaluations ---------------------------------------------------------------------------------


def test_evaluations_are_listed_per_run_and_measure(league, api_client, task, flow):
    first = league["runs"][0]
    response = api_client.get("/api/v1/evaluations/", {"run": first["id"]})
    assert response.status_code == 200
    rows = response.json()["results"]
    stored = Evaluation.objects.filter(run_id=first["id"]).order_by("measure")
    assert [row["measure"] for row in rows] == [e.measure for e in stored]
    accuracy = stored.get(measure="predictive_accuracy")
    row = next(r for r in rows if r["measure"] == "predictive_accuracy")
    assert row == {
        "run": first["id"],
        "task": task.pk,
        "flow": flow.pk,
        "flow_name": flow.name,
        "configuration": first["configuration"]["id"],
        "uploader": "alice",
        "team": league["team"].pk,
        "measure": "predictive_accuracy",
        "value": accuracy.value,
        "std": accuracy.std,
        "created_at": row["created_at"],
    }

    def runs(**params):
        results = api_client.get("/api/v1/evaluations/", params).json()["results"]
        return sorted({r["run"] for r in results})

    second = league["runs"][1]["id"]
    queued = league["runs"][2]["id"]
    assert runs() == [first["id"], second]  # the queued run has no evaluations yet
    assert runs(task=task.pk, measure="predictive_accuracy") == [first["id"], second]
    assert runs(uploader="bob") == [second]
    assert runs(team=league["team"].pk) == [first["id"]]
    assert runs(flow=league["mean"].pk) == []
    assert runs(configuration=first["configuration"]["id"]) == [first["id"]]
    assert runs(run=queued) == []
    listed = api_client.get("/api/v1/evaluations/", {"measure": "predictive_accuracy"}).json()
    assert listed["count"] == 2
    assert {"next", "previous"} <= set(listed)
    for params, field in [({"measure": "accuracy"}, "measure"), ({"run": "x"}, "run")]:
        response = api_client.get("/api/v1/evaluations/", params)
        assert response.status_code == 400
        assert list(response.json()["errors"]) == [field]


def test_measures_are_the_engine_s(api_client):
    from tunebench import engine

    response = api_client.get("/api/v1/measures/")
    assert response.status_code == 200
    assert response.json() == [
        {
            "name": m.name,
            "task_type": m.task_type,
            "higher_is_better": m.higher_is_better,
            "needs_probabilities": m.needs_probabilities,
            "description": m.description,
        }
        for m in engine.MEASURES.values()
    ]
    regression = api_client.get("/api/v1/measures/", {"task_type": 2}).json()
    assert {m["name"] for m in regression} == {
        m.name for m in engine.MEASURES.values() if m.task_type == 2
    }
    assert "root_mean_squared_error" in {m["name"] for m in regression}
    named = api_client.get("/api/v1/measures/", {"task_type": "classification"}).json()
    assert named
    assert all(m["task_type"] == 1 for m in named)
    response = api_client.get("/api/v1/measures/", {"task_type": "clustering"})
    assert (response.status_code, list(response.json()["errors"])) == (400, ["task_type"])


# -- leaderboards --------------------------------------------------------------------------------


def entry(
    run: dict, *, rank: int, runs: int, person=None, team=None, measure="predictive_accuracy"
) -> dict:
    """The leaderboard entry a scored run (as the API showed it) should make."""
    evaluation = Evaluation.objects.get(run_id=run["id"], measure=measure)
    return {
        "rank": rank,
        "person": person,
        "team": team,
        "run": run["id"],
        "flow": {k: run["flow"][k] for k in ("id", "name", "version")},
        "configuration": run["configuration"]["id"],
        "value": evaluation.value,
        "std": evaluation.std,
        "created_at": run["created_at"],
        "runs": runs,
        "verified": False,
        "seeds": None,
    }


def test_leaderboard_by_person_ranks_each_best_run_and_ties_go_to_the_earlier(
    task, flow, ingest, api_client
):
    bob, alice = UserFactory(username="bob"), UserFactory(username="alice")
    alice_client, bob_client = client_for(alice), client_for(bob)
    alice_worse = scored(ingest, alice_client, task, flow, predictions(task, correct=0.5))
    alice_best = scored(ingest, alice_client, task, flow, predictions(task))
    bob_tie = scored(ingest, bob_client, task, flow, predictions(task))  # same score, later
    carol = UserFactory(username="carol")
    carol_run = scored(ingest, client_for(carol), task, flow, predictions(task, correct=0.75))
    assert alice_worse["status"] == bob_tie["status"] == "done"

    response = api_client.get(f"/api/v1/tasks/{task.pk}/leaderboard/")
    assert response.status_code == 200
    assert response.json() == {
        "measure": "predictive_accuracy",
        "higher_is_better": True,
        "by": "person",
        "entries": [
            entry(alice_best, rank=1, runs=2, person={"id": alice.pk, "username": "alice"}),
            entry(bob_tie, rank=2, runs=1, person={"id": bob.pk, "username": "bob"}),
            entry(carol_run, rank=3, runs=1, person={"id": carol.pk, "username": "carol"}),
        ],
    }
    assert response.json()["entries"][0]["value"] == response.json()["entries"][1]["value"] == 1.0


def test_leaderboard_by_team_counts_only_runs_published_for_a_team(task, flow, ingest, api_client):
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    lab = make_team(owner=alice, name="Lab", members=(bob,))
    solo = make_team(owner=carol, name="Solo")
    lab_worse = scored(
        ingest, client_for(alice), task, flow, predictions(task, correct=0.5), team_id=lab.pk
    )
    lab_best = scored(
        ingest, client_for(bob), task, flow, predictions(task, correct=0.75), team_id=lab.pk
    )
    solo_run = scored(
        ingest, client_for(carol), task, flow, predictions(task, correct=0.6), team_id=solo.pk
    )
    scored(ingest, client_for(carol), task, flow, predictions(task))  # no team: not on the board
    assert lab_worse["team"]["id"] == lab.pk

    response = api_client.get(f"/api/v1/tasks/{task.pk}/leaderboard/", {"by": "team"})
    assert response.status_code == 200
    assert response.json() == {
        "measure": "predictive_accuracy",
        "higher_is_better": True,
        "by": "team",
        "entries": [
            entry(lab_best, rank=1, runs=2, team={"id": lab.pk, "slug": lab.slug, "name": "Lab"}),
            entry(
                solo_run, rank=2, runs=1, team={"id": solo.pk, "slug": solo.slug, "name": "Solo"}
            ),
        ],
    }


def test_leaderboard_on_an_error_measure_puts_the_lowest_first(
    user, regression_task, ingest, api_client
):
    mean, _ = create_flow(uploader=user, spec={"name": "mean", "external_version": "1"})
    far, near = UserFactory(), UserFactory()

    def upload_offset(who, offset):
        response = ingest(
            post_run,
            client_for(who),
            regression_task,
            as_parquet(regression_predictions(regression_task, offset=offset)),
            flow=mean.pk,
        )
        assert response.status_code == 201, response.json()
        return api_client.get(response.json()["url"]).json()

    far_run = upload_offset(far, 2.0)
    near_run = upload_offset(near, 0.5)
    response = api_client.get(
        f"/api/v1/tasks/{regression_task.pk}/leaderboard/",
        {"measure": "root_mean_squared_error"},
    )
    assert response.status_code == 200
    body = response.json()
    rmse = {"measure": "root_mean_squared_error"}
    assert (body["measure"], body["higher_is_better"], body["by"]) == (
        "root_mean_squared_error",
        False,
        "person",
    )
    assert body["entries"] == [
        entry(near_run, rank=1, runs=1, person={"id": near.pk, "username": near.username}, **rmse),
        entry(far_run, rank=2, runs=1, person={"id": far.pk, "username": far.username}, **rmse),
    ]
    assert [e["value"] for e in body["entries"]] == pytest.approx([0.5, 2.0])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"by": "everyone"}, "by"),
        ({"measure": "root_mean_squared_error"}, "measure"),  # not a classification measure
        ({"measure": "nope"}, "measure"),
    ],
)
def test_bad_leaderboard_parameters_are_400(api_client, task, params, field):
    response = api_client.get(f"/api/v1/tasks/{task.pk}/leaderboard/", params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_an_empty_leaderboard(api_client, task):
    response = api_client.get(f"/api/v1/tasks/{task.pk}/leaderboard/", {"measure": "kappa"})
    assert response.json() == {
        "measure": "kappa",
        "higher_is_better": True,
        "by": "person",
        "entries": [],
    }


# -- visibility ----------------------------------------------------------------------------------


@pytest.fixture
def secret_task(user, ingest) -> Task:
    dataset = ingest(
        upload,
        user,
        text=FLOWERS,
        name="secret",
        default_target_attribute="kind",
        visibility="private",
    )
    created, _ = ingest(
        create_task,
        creator=user,
        dataset_id=dataset.pk,
        task_type=1,
        target="kind",
        estimation_procedure_id=1,
    )
    created.refresh_from_db()
    assert created.status == Task.Status.ACTIVE
    return created


def test_a_run_on_a_private_dataset_is_invisible_to_others(
    auth_client, secret_task, flow, ingest, settings
):
    run = scored(ingest, auth_client, secret_task, flow, predictions(secret_task))
    assert run["status"] == "done"
    owner_sees = auth_client.get("/api/v1/evaluations/").json()["count"]
    assert owner_sees > 0

    stranger = UserFactory()
    for client in (client_for(stranger), APIClient()):
        assert client.get("/api/v1/runs/").json()["count"] == 0
        assert client.get("/api/v1/runs/", {"task": secret_task.pk}).json()["count"] == 0
        response = client.get(run["url"])
        assert (response.status_code, response.json()["code"]) == (404, "run_not_found")
        assert client.get(run["predictions"]["url"]).status_code == 404
        assert client.get("/api/v1/evaluations/").json()["count"] == 0
        assert client.get("/api/v1/evaluations/", {"run": run["id"]}).json()["count"] == 0
        board = client.get(f"/api/v1/tasks/{secret_task.pk}/leaderboard/")
        assert (board.status_code, board.json()["code"]) == (404, "task_not_found")

    # Uploading to a task you cannot see is refused, and stores nothing.
    runs_before = Run.objects.count()
    files_before = sorted(p for p in (Path(settings.MEDIA_ROOT) / "runs").rglob("*"))
    response = post_run(
        client_for(stranger), secret_task, as_csv(predictions(secret_task)), flow=flow.pk
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_task"
    assert response.json()["errors"]["task"][0]["code"] == "unknown_task"
    assert Run.objects.count() == runs_before
    assert sorted(p for p in (Path(settings.MEDIA_ROOT) / "runs").rglob("*")) == files_before


def test_every_new_endpoint_is_in_the_schema(tmp_path):
    """The schema builds without warnings (tests/api/test_schema.py) and lists them all."""
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(out), "--fail-on-warn", "--validate")
    text = out.read_text()
    for path in [
        "/api/v1/flows/",
        "/api/v1/flows/{id}/",
        "/api/v1/flows/exists/",
        "/api/v1/configurations/",
        "/api/v1/configurations/{id}/",
        "/api/v1/runs/",
        "/api/v1/runs/{id}/",
        "/api/v1/runs/{id}/predictions/",
        "/api/v1/evaluations/",
        "/api/v1/measures/",
        "/api/v1/tasks/{id}/leaderboard/",
    ]:
        assert f"  {path}:" in text, path
    assert "  RunUploadProblem:" in text  # problems and counts, documented
    assert "  FlowCreateRequest:" in text


def test_run_uploads_have_their_own_throttle_budget(auth_client, task, flow, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "runs", "1/hour")
    body = as_csv(predictions(task))
    assert post_run(auth_client, task, body, flow=flow.pk).status_code == 201
    response = post_run(auth_client, task, body, flow=flow.pk)
    assert (response.status_code, response.json()["code"]) == (429, "throttled")
    assert Run.objects.count() == 1
